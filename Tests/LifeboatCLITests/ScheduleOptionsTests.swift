import ArgumentParser
import Foundation
import LifeboatModel
import Testing

@testable import lifeboat

/// How `job add` and `job edit` read their schedule options, and how `job list` writes a schedule back.
@Suite("Schedule options of job add and job edit")
struct ScheduleOptionsTests {
    @Test(
        "an invalid option or combination is refused with a message naming the option",
        arguments: [
            (["--every", "7m"], "--every takes 5m, 10m, 15m, 30m, 1h, 2h, 4h, 8h"),
            (["--every", "1h", "--offset", "60"], "--offset must be 0 to 59 minutes"),
            (["--offset", "5"], "--offset goes with --every"),
            (["--days", "workdays"], "--days goes with --daily"),
            (["--daily", "25:00"], "--daily takes a time of day as HH:MM"),
            (["--daily", "22:00:00"], "--daily takes a time of day as HH:MM"),
            (["--daily", "22:00", "--days", "someday"], "--days takes everyday, workdays, weekends"),
            (["--every", "1h", "--daily", "22:00"], "give one of them"),
            (["--schedule", "weekly"], "--schedule takes only 'manual'"),
            (["--schedule", "manual", "--window", "mon 1-2"], "--window has nothing to apply to"),
            (["--window", "mon-fri 20-06", "--no-window"], "--window and --no-window exclude each other"),
            (["--retries", "3"], "--retries and --retry-wait go together"),
            (["--retries", "0", "--retry-wait", "5"], "--retries must be 1 to 777"),
            (["--no-retries", "--retries", "1", "--retry-wait", "1"], "--no-retries excludes"),
            (["--window", "funday 1-2"], "'funday' is not a weekday"),
            (["--window", "mon 5-5"], "two different whole hours"),
            (["--window", "mon-fri"], "write days and hours"),
        ])
    func refused(arguments: [String], message: String) {
        #expect(throws: (any Error).self) { try ScheduleOptions.parse(arguments) }
        do {
            _ = try ScheduleOptions.parse(arguments)
        } catch {
            #expect(ScheduleOptions.message(for: error).contains(message), "\(ScheduleOptions.message(for: error))")
        }
    }

    @Test("a window's days and hours become the hours of the week it allows; several windows add up")
    func windows() throws {
        let nights = try ScheduleOptions.window(parsing: "mon-fri 20-06")
        #expect(nights == BackupWindow(days: [2, 3, 4, 5, 6], fromHour: 20, toHour: 6))
        #expect(nights.allows(weekday: 7, hour: 5) && !nights.allows(weekday: 7, hour: 20), "Friday night reaches Saturday morning")
        let weekend = try ScheduleOptions.window(parsing: "fri-mon 0-24")
        #expect(weekend.allowedHours.filter { $0 }.count == 4 * 24)
        let options = try ScheduleOptions.parse(["--every", "1h", "--window", "mon-fri 20-06", "--window", "sat,sunday 0-24"])
        let combined = try #require(try options.applied(to: .manualOnly).window)
        #expect(combined.allowedHours.filter { $0 }.count == 5 * 10 + 2 * 24 - 6, "Saturday 00-06 is in both")
    }

    @Test("a window written in words parses back to the same hours", arguments: ["mon-fri 20-06", "sat,sun 0-24", "wed 9-17", "fri-mon 22-02"])
    func windowWordsRoundTrip(text: String) throws {
        let window = try ScheduleOptions.window(parsing: text)
        var parsed = [Bool](repeating: false, count: 168)
        for part in window.words.split(separator: ", ") {
            let piece = try ScheduleOptions.window(parsing: String(part))
            for hour in 0..<168 where piece.allowedHours[hour] { parsed[hour] = true }
        }
        #expect(parsed == window.allowedHours, "\(window.words)")
    }

    @Test("job edit's options replace only the parts they name; --schedule manual drops window and retries")
    func appliedKeepsTheRest() throws {
        let current = BackupSchedule(
            trigger: .daily(days: .workdays, time: try #require(TimeOfDay(hour: 22, minute: 0))),
            window: try ScheduleOptions.window(parsing: "mon-fri 20-06"), retry: RetryPolicy(count: 2, waitMinutes: 15))
        let periodic = try ScheduleOptions.parse(["--every", "4h", "--offset", "30"]).applied(to: current)
        #expect(periodic == BackupSchedule(trigger: .periodically(interval: .hours4, offsetMinutes: 30), window: current.window, retry: current.retry))
        let cleared = try ScheduleOptions.parse(["--no-window", "--no-retries"]).applied(to: current)
        #expect(cleared == BackupSchedule(trigger: current.trigger))
        #expect(try ScheduleOptions.parse(["--schedule", "manual"]).applied(to: current) == .manualOnly)
        #expect(throws: CommandFailure.self, "a window for a job that runs only when started") {
            try ScheduleOptions.parse(["--window", "mon 1-2"]).applied(to: .manualOnly)
        }
    }

    @Test("a daily time or periodic slot the window never allows is refused: no run could ever start")
    func unreachableSchedule() throws {
        let berlin = try #require(TimeZone(identifier: "Europe/Berlin"))
        let now = Date(timeIntervalSince1970: 1_796_000_000)
        let noon = try ScheduleOptions.parse(["--daily", "12:00", "--window", "mon-fri 20-06"]).applied(to: .manualOnly)
        #expect(throws: CommandFailure.self) { try ScheduleOptions.requireRuns(noon, in: berlin, now: now) }
        let evening = try ScheduleOptions.parse(["--daily", "21:00", "--window", "mon-fri 20-06"]).applied(to: .manualOnly)
        try ScheduleOptions.requireRuns(evening, in: berlin, now: now)
    }

    @Test(
        "job list writes a schedule in words",
        arguments: [
            (["--every", "15m"], "every 15 minutes"),
            (["--every", "4h", "--offset", "30"], "every 4 hours from 00:30"),
            (["--daily", "22:00"], "daily at 22:00"),
            (["--daily", "07:05", "--days", "monday", "--retries", "3", "--retry-wait", "10"], "daily at 07:05 on Mondays, 3 retries 10 minutes apart"),
            (["--daily", "22:00", "--days", "workdays", "--window", "mon-fri 20-06"], "daily at 22:00 on workdays, window mon-fri 20-06"),
        ])
    func words(arguments: [String], words: String) throws {
        #expect(try ScheduleOptions.parse(arguments).applied(to: .manualOnly).words == words)
    }
}
