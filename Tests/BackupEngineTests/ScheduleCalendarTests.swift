import BackupEngine
import Foundation
import LifeboatModel
import LifeboatTestSupport
import Testing

private func at(_ text: String) -> Date { .iso8601(text) }

private let newYork = TimeZone(identifier: "America/New_York")!
private let berlin = TimeZone(identifier: "Europe/Berlin")!
private let utc = TimeZone(secondsFromGMT: 0)!

/// Every run due in `range`, in order, as the scheduler would meet them.
private func runs(_ calendar: ScheduleCalendar, from start: Date, to end: Date) -> [Date] {
    var found: [Date] = []
    var cursor = start
    while let next = calendar.nextRun(after: cursor), next <= end {
        found.append(next)
        cursor = next
    }
    return found
}

/// Wall-clock hour and minute of `instant` in `zone`.
private func wall(_ instant: Date, _ zone: TimeZone) -> (day: Int, hour: Int, minute: Int) {
    var calendar = Calendar(identifier: .gregorian)
    calendar.timeZone = zone
    let parts = calendar.dateComponents([.day, .hour, .minute], from: instant)
    return (parts.day!, parts.hour!, parts.minute!)
}

@Suite("Schedules turn into due instants in the organization's time zone")
struct ScheduleCalendarTests {
    @Test("a manual-only schedule is never due")
    func manualOnly() {
        #expect(ScheduleCalendar(schedule: .manualOnly, timeZone: utc).nextRun(after: at("2026-01-01T00:00:00Z")) == nil)
    }

    @Test("periodic runs fall on the wall-clock multiples of their interval plus the offset, strictly after the instant")
    func periodicAlignment() {
        let quarter = ScheduleCalendar(schedule: BackupSchedule(trigger: .periodically(interval: .minutes15, offsetMinutes: 0)), timeZone: utc)
        #expect(quarter.nextRun(after: at("2026-05-04T10:07:12Z")) == at("2026-05-04T10:15:00Z"))
        #expect(quarter.nextRun(after: at("2026-05-04T10:15:00Z")) == at("2026-05-04T10:30:00Z"))
        let fourHours = ScheduleCalendar(schedule: BackupSchedule(trigger: .periodically(interval: .hours4, offsetMinutes: 30)), timeZone: berlin)
        #expect(fourHours.nextRun(after: at("2026-05-04T01:00:00+02:00")) == at("2026-05-04T04:30:00+02:00"))
        #expect(fourHours.nextRun(after: at("2026-05-04T22:31:00+02:00")) == at("2026-05-05T00:30:00+02:00"))
        // An interval that does not divide a day restarts at midnight, as a wall-clock grid does.
        let eight = ScheduleCalendar(schedule: BackupSchedule(trigger: .periodically(interval: .hours8, offsetMinutes: 0)), timeZone: utc)
        #expect(eight.nextRun(after: at("2026-12-31T20:00:00Z")) == at("2027-01-01T00:00:00Z"))
    }

    @Test("daily runs land on the chosen days at the chosen time, across weekends and month ends")
    func dailyDays() throws {
        let workdays = ScheduleCalendar(
            schedule: BackupSchedule(trigger: .daily(days: .workdays, time: try #require(TimeOfDay(hour: 22, minute: 0)))), timeZone: newYork)
        // Friday 2026-01-30, 23:00: the next workday is Monday 2026-02-02.
        #expect(workdays.nextRun(after: at("2026-01-30T23:00:00-05:00")) == at("2026-02-02T22:00:00-05:00"))
        #expect(workdays.nextRun(after: at("2026-02-02T21:59:00-05:00")) == at("2026-02-02T22:00:00-05:00"))
        let sunday = ScheduleCalendar(
            schedule: BackupSchedule(trigger: .daily(days: .sunday, time: try #require(TimeOfDay(hour: 3, minute: 15)))), timeZone: berlin)
        #expect(sunday.nextRun(after: at("2026-02-28T12:00:00+01:00")) == at("2026-03-01T03:15:00+01:00"))
        let weekends = ScheduleCalendar(
            schedule: BackupSchedule(trigger: .daily(days: .weekends, time: try #require(TimeOfDay(hour: 0, minute: 0)))), timeZone: utc)
        #expect(runs(weekends, from: at("2026-12-28T00:00:00Z"), to: at("2027-01-11T00:00:00Z")) == [
            at("2027-01-02T00:00:00Z"), at("2027-01-03T00:00:00Z"), at("2027-01-09T00:00:00Z"), at("2027-01-10T00:00:00Z"),
        ])
    }

    @Test("a daily time the clock skips runs as far past the change; one it shows twice runs once")
    func dailyAcrossDaylightSaving() throws {
        let early = ScheduleCalendar(
            schedule: BackupSchedule(trigger: .daily(days: .everyday, time: try #require(TimeOfDay(hour: 2, minute: 30)))), timeZone: newYork)
        // 2026-03-08: New York's clocks jump from 02:00 to 03:00.
        #expect(runs(early, from: at("2026-03-07T12:00:00-05:00"), to: at("2026-03-09T12:00:00-04:00")) == [
            at("2026-03-08T02:30:00-05:00"), at("2026-03-09T02:30:00-04:00"),
        ])
        #expect(at("2026-03-08T02:30:00-05:00") == at("2026-03-08T03:30:00-04:00"))
        let repeated = ScheduleCalendar(
            schedule: BackupSchedule(trigger: .daily(days: .everyday, time: try #require(TimeOfDay(hour: 1, minute: 30)))), timeZone: newYork)
        // 2026-11-01: 01:00–02:00 happens twice; the run is at the first 01:30 only.
        #expect(runs(repeated, from: at("2026-10-31T12:00:00-04:00"), to: at("2026-11-02T12:00:00-05:00")) == [
            at("2026-11-01T01:30:00-04:00"), at("2026-11-02T01:30:00-05:00"),
        ])
    }

    @Test("periodic runs up to an hour keep their pace through both changes; longer ones neither double nor drift")
    func periodicAcrossDaylightSaving() {
        let quarter = ScheduleCalendar(schedule: BackupSchedule(trigger: .periodically(interval: .minutes15, offsetMinutes: 0)), timeZone: newYork)
        for (start, end) in [
            (at("2026-03-08T00:00:00-05:00"), at("2026-03-08T05:00:00-04:00")),
            (at("2026-11-01T00:00:00-04:00"), at("2026-11-01T04:00:00-05:00")),
        ] {
            let due = runs(quarter, from: start, to: end)
            #expect(zip(due, due.dropFirst()).allSatisfy { $1.timeIntervalSince($0) == 900 })
            #expect(due.count == Int(end.timeIntervalSince(start) / 900))
        }
        let twoHours = ScheduleCalendar(schedule: BackupSchedule(trigger: .periodically(interval: .hours2, offsetMinutes: 0)), timeZone: berlin)
        // 2026-10-25: Berlin's 02:00–03:00 happens twice; 02:00 runs once.
        #expect(runs(twoHours, from: at("2026-10-24T23:30:00+02:00"), to: at("2026-10-25T04:30:00+01:00")) == [
            at("2026-10-25T00:00:00+02:00"), at("2026-10-25T02:00:00+02:00"), at("2026-10-25T04:00:00+01:00"),
        ])
        // 2026-03-29: Berlin's clock skips 02:00–03:00; the 02:00 slot does not exist.
        #expect(runs(twoHours, from: at("2026-03-28T23:30:00+01:00"), to: at("2026-03-29T04:30:00+02:00")) == [
            at("2026-03-29T00:00:00+01:00"), at("2026-03-29T04:00:00+02:00"),
        ])
    }

    @Test(
        "every interval over a month end and both daylight-saving changes: on its grid, never doubled, paced",
        arguments: PeriodicInterval.allCases)
    func everyInterval(_ interval: PeriodicInterval) {
        let calendar = ScheduleCalendar(
            schedule: BackupSchedule(trigger: .periodically(interval: interval, offsetMinutes: 5)), timeZone: newYork)
        for (start, end) in [
            (at("2026-02-27T00:00:00-05:00"), at("2026-03-10T00:00:00-04:00")),
            (at("2026-10-30T00:00:00-04:00"), at("2026-11-03T00:00:00-05:00")),
        ] {
            let due = runs(calendar, from: start, to: end)
            #expect(!due.isEmpty)
            for run in due {
                let clock = wall(run, newYork)
                #expect(((clock.hour * 60 + clock.minute) - 5) % interval.minutes == 0)
            }
            let gaps = Set(zip(due, due.dropFirst()).map { Int($1.timeIntervalSince($0)) / 60 })
            let step = interval.minutes
            let allowed: Set<Int> = step <= 60 ? [step] : [step - 60, step, step + 60, 24 * 60 - (1_440 / step - 1) * step]
            #expect(gaps.isSubset(of: allowed), "\(interval): gaps \(gaps.sorted())")
        }
    }

    @Test("every day choice over a month end and both changes: one run on each chosen day, none on others", arguments: DailyDays.allCases)
    func everyDayChoice(_ days: DailyDays) throws {
        let time = try #require(TimeOfDay(hour: 1, minute: 30))
        let calendar = ScheduleCalendar(schedule: BackupSchedule(trigger: .daily(days: days, time: time)), timeZone: newYork)
        var gregorian = Calendar(identifier: .gregorian)
        gregorian.timeZone = newYork
        for (start, end) in [
            (at("2026-02-25T00:00:00-05:00"), at("2026-03-12T00:00:00-04:00")),
            (at("2026-10-26T00:00:00-04:00"), at("2026-11-09T00:00:00-05:00")),
        ] {
            let due = runs(calendar, from: start, to: end)
            var expectedDays: [DateComponents] = []
            var day = start
            while day < end {
                if days.includes(weekday: gregorian.component(.weekday, from: day)) {
                    expectedDays.append(gregorian.dateComponents([.year, .month, .day], from: day))
                }
                day = gregorian.date(byAdding: .day, value: 1, to: day)!
            }
            #expect(due.map { gregorian.dateComponents([.year, .month, .day], from: $0) } == expectedDays)
            #expect(due.allSatisfy { wall($0, newYork).hour == 1 && wall($0, newYork).minute == 30 })
        }
    }

    @Test("a window limits runs to its hours, across midnight; a daily time it never allows is never due")
    func windows() throws {
        let nights = try #require(BackupWindow(days: Set(2...6), fromHour: 20, toHour: 6))
        let hourly = ScheduleCalendar(
            schedule: BackupSchedule(trigger: .periodically(interval: .hours1, offsetMinutes: 0), window: nights), timeZone: berlin)
        // Monday 2026-05-04.
        #expect(hourly.nextRun(after: at("2026-05-04T12:00:00+02:00")) == at("2026-05-04T20:00:00+02:00"))
        // Monday before dawn belongs to Sunday night, which is closed; Tuesday before dawn to Monday night.
        #expect(hourly.nextRun(after: at("2026-05-04T04:10:00+02:00")) == at("2026-05-04T20:00:00+02:00"))
        #expect(hourly.nextRun(after: at("2026-05-05T04:10:00+02:00")) == at("2026-05-05T05:00:00+02:00"))
        #expect(hourly.nextRun(after: at("2026-05-05T05:30:00+02:00")) == at("2026-05-05T20:00:00+02:00"))
        // Friday night runs on into Saturday morning; Saturday evening does not open.
        #expect(hourly.nextRun(after: at("2026-05-09T03:00:00+02:00")) == at("2026-05-09T04:00:00+02:00"))
        #expect(hourly.nextRun(after: at("2026-05-09T06:00:00+02:00")) == at("2026-05-11T20:00:00+02:00"))
        #expect(hourly.windowAllows(at("2026-05-09T05:59:00+02:00")))
        #expect(!hourly.windowAllows(at("2026-05-09T06:00:00+02:00")))

        let noon = try #require(TimeOfDay(hour: 12, minute: 0))
        let closed = ScheduleCalendar(schedule: BackupSchedule(trigger: .daily(days: .everyday, time: noon), window: nights), timeZone: berlin)
        #expect(closed.nextRun(after: at("2026-05-04T00:00:00+02:00")) == nil)
    }

    @Test("times of day and windows are validated as Veeam writes them")
    func validation() {
        #expect(TimeOfDay(parsing: "10:00:00") == TimeOfDay(hour: 10, minute: 0))
        #expect(TimeOfDay(parsing: "7:05") == TimeOfDay(hour: 7, minute: 5))
        #expect(TimeOfDay(parsing: "10:00:00")?.description == "10:00:00")
        for bad in ["24:00", "10:60", "10:00:30", "ab:cd", "10", "", "1:2:3:4", "١٠:٠٠"] {
            #expect(TimeOfDay(parsing: bad) == nil, "\(bad)")
        }
        #expect(BackupWindow(allowedHours: [Bool](repeating: true, count: 167)) == nil)
        #expect(BackupWindow(allowedHours: [Bool](repeating: false, count: 168)) == nil)
        #expect(BackupWindow(allowedHours: [Bool](repeating: true, count: 168)) != nil)
        #expect(RetryPolicy(count: 0, waitMinutes: 10) == nil)
        #expect(RetryPolicy(count: 3, waitMinutes: 10) != nil)
    }
}
