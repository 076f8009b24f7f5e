import Foundation
import LifeboatModel

/// Turns a `BackupSchedule` into the instants its runs are due, in an organization's time zone.
///
/// Wall-clock rules across daylight-saving changes, chosen so that no change doubles a run or loses a day:
/// - Daily: a time the clock skips runs as far past the change as it was meant to be past the skipped hour (02:30 on a
///   night that jumps from 02:00 to 03:00 runs at 03:30); a time the clock shows twice runs at its first showing only.
/// - Periodic: runs are due at every instant whose wall-clock minute of the day is `offsetMinutes` past a multiple of the
///   interval. Intervals up to an hour keep their pace through a repeated hour (runs go on every 15 minutes); longer
///   intervals skip a slot the clock shows a second time, and a slot the clock skips is not run.
/// - A window limits both kinds to the hours it allows; a slot outside it is not run.
///
/// Only `TimeZone.secondsFromGMT(for:)` and Gregorian date arithmetic in UTC are used, so answers are the same on every
/// platform. Cheap: at most a few hundred steps for a week of search.
public struct ScheduleCalendar: Sendable {
    /// The schedule.
    public let schedule: BackupSchedule
    /// The organization's time zone, which wall-clock times and window hours are read in.
    public let timeZone: TimeZone

    /// How far ahead `nextRun(after:)` looks before concluding the schedule never runs (a window closed at the daily time).
    private static let horizon: TimeInterval = 8 * 86_400

    private static let utc: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(secondsFromGMT: 0)!
        return calendar
    }()

    /// Creates the calendar of `schedule` in `timeZone`.
    public init(schedule: BackupSchedule, timeZone: TimeZone) {
        self.schedule = schedule
        self.timeZone = timeZone
    }

    /// The first instant strictly after `instant` at which a run is due; nil for a manual-only schedule, or when no run
    /// can ever be due (a daily time that its window never allows).
    public func nextRun(after instant: Date) -> Date? {
        switch schedule.trigger {
        case .manualOnly:
            return nil
        case .periodically(let interval, let offset):
            return nextPeriodicRun(after: instant, every: interval.minutes, offset: offset)
        case .daily(let days, let time):
            return nextDailyRun(after: instant, days: days, time: time)
        }
    }

    /// Whether the window (if any) allows a run to start at `instant`.
    public func windowAllows(_ instant: Date) -> Bool {
        guard let window = schedule.window else { return true }
        let wall = wallClock(instant)
        return window.allows(weekday: wall.weekday, hour: wall.hour)
    }

    // MARK: Periodic

    private func nextPeriodicRun(after instant: Date, every step: Int, offset: Int) -> Date? {
        let offset = ((offset % step) + step) % step
        // Whole minutes only: the first whole minute strictly after `instant`.
        var candidate = Date(timeIntervalSince1970: (floor(instant.timeIntervalSince1970 / 60) + 1) * 60)
        let end = instant.addingTimeInterval(Self.horizon)
        while candidate <= end {
            let wall = wallClock(candidate)
            if let window = schedule.window, !window.allows(weekday: wall.weekday, hour: wall.hour) {
                candidate = candidate.addingTimeInterval(Double(60 - wall.minute) * 60)
                continue
            }
            let minuteOfDay = wall.hour * 60 + wall.minute
            let past = ((minuteOfDay - offset) % step + step) % step
            if past == 0, step <= 60 || !isRepeatedWallTime(candidate) {
                return candidate
            }
            // Hop to the next slot, but never past a half-hour boundary, where the clock may change.
            let toSlot = past == 0 ? step : step - past
            let toBoundary = 30 - wall.minute % 30
            candidate = candidate.addingTimeInterval(Double(min(toSlot, toBoundary)) * 60)
        }
        return nil
    }

    /// Whether the wall clock showed `instant`'s time once before, less than an hour earlier (a clock set back).
    private func isRepeatedWallTime(_ instant: Date) -> Bool {
        let now = timeZone.secondsFromGMT(for: instant)
        let setBack = timeZone.secondsFromGMT(for: instant.addingTimeInterval(-3_600)) - now
        guard setBack > 0 else { return false }
        return timeZone.secondsFromGMT(for: instant.addingTimeInterval(-Double(setBack))) == now + setBack
    }

    // MARK: Daily

    private func nextDailyRun(after instant: Date, days: DailyDays, time: TimeOfDay) -> Date? {
        let today = wallClock(instant)
        guard var day = Self.utc.date(from: DateComponents(year: today.year, month: today.month, day: today.day)) else {
            return nil
        }
        for _ in 0...8 {
            let weekday = Self.utc.component(.weekday, from: day)
            if days.includes(weekday: weekday) {
                let wallTime = day.addingTimeInterval(Double(time.hour * 3_600 + time.minute * 60))
                let run = instantShowing(wallTime)
                if run > instant, windowAllows(run) { return run }
            }
            day = day.addingTimeInterval(86_400)
        }
        return nil
    }

    /// The first instant whose wall clock shows `wall` (a wall-clock time written as if it were UTC); for a time the
    /// clock skips, the instant as far past the change as `wall` is past the skipped span's start.
    private func instantShowing(_ wall: Date) -> Date {
        // Every offset in use lies within ±14 hours, so the offsets 14 hours either side bracket the ones that apply.
        let before = timeZone.secondsFromGMT(for: wall.addingTimeInterval(-14 * 3_600))
        let after = timeZone.secondsFromGMT(for: wall.addingTimeInterval(14 * 3_600))
        let valid = Set([before, after]).map { wall.addingTimeInterval(-Double($0)) }
            .filter { timeZone.secondsFromGMT(for: $0) == Int(wall.timeIntervalSince($0)) }
        if let first = valid.min() { return first }
        // Skipped: read with the offset in force before the clock jumped.
        return wall.addingTimeInterval(-Double(min(before, after)))
    }

    // MARK: Wall clock

    private struct WallClock {
        var year: Int
        var month: Int
        var day: Int
        var weekday: Int
        var hour: Int
        var minute: Int
    }

    private func wallClock(_ instant: Date) -> WallClock {
        let shifted = instant.addingTimeInterval(Double(timeZone.secondsFromGMT(for: instant)))
        let parts = Self.utc.dateComponents([.year, .month, .day, .weekday, .hour, .minute], from: shifted)
        return WallClock(
            year: parts.year ?? 1970, month: parts.month ?? 1, day: parts.day ?? 1, weekday: parts.weekday ?? 1,
            hour: parts.hour ?? 0, minute: parts.minute ?? 0)
    }
}
