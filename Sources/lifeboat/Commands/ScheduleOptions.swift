import ArgumentParser
import BackupEngine
import Foundation
import LifeboatModel

/// The options of `job add` and `job edit` that say when a job runs by itself.
///
/// Each names one part of a `BackupSchedule`: the trigger (`--schedule manual`, `--every`, `--daily`), the backup window
/// and the retries. An option left out keeps that part as it is, so `job edit --window …` changes only the window.
struct ScheduleOptions: ParsableArguments {
    @Option(help: "'manual': the job runs only when someone starts it (a new job's default); drops its window and retries.")
    var schedule: String?
    @Option(help: ArgumentHelp("Run every 5m, 10m, 15m, 30m, 1h, 2h, 4h or 8h.", valueName: "interval"))
    var every: String?
    @Option(help: ArgumentHelp("With --every: minutes past each multiple of the interval (--every 4h --offset 30 runs at 00:30, 04:30, ...).", valueName: "minutes"))
    var offset: Int?
    @Option(help: ArgumentHelp("Run once a day at HH:MM, in the organization's time zone (`lifeboat organization edit --time-zone`).", valueName: "HH:MM"))
    var daily: String?
    @Option(help: "With --daily: everyday (the default), workdays, weekends, or one of monday ... sunday.")
    var days: String?
    @Option(
        name: .customLong("window"),
        help: ArgumentHelp(
            "Hours in which scheduled runs may start, as 'DAYS FROM-TO' in the organization's time zone: 'mon-fri 20-06' allows 20:00 to 06:00 the next morning, 'sat,sun 0-24' whole days. Repeatable; the hours add up.",
            valueName: "days hours"))
    var windows: [String] = []
    @Flag(help: "Remove the backup window: scheduled runs may start at any hour.")
    var noWindow = false
    @Option(help: ArgumentHelp("Retry a scheduled run that ended failed or with warnings up to this many times (with --retry-wait).", valueName: "count"))
    var retries: Int?
    @Option(help: ArgumentHelp("Minutes from a failed run's end to its retry (with --retries).", valueName: "minutes"))
    var retryWait: Int?
    @Flag(help: "Never retry scheduled runs.")
    var noRetries = false

    /// Whether no schedule option was given.
    var isEmpty: Bool {
        schedule == nil && every == nil && offset == nil && daily == nil && days == nil && windows.isEmpty && !noWindow
            && retries == nil && retryWait == nil && !noRetries
    }

    func validate() throws {
        let triggers = [schedule, every, daily].compactMap { $0 }
        guard triggers.count <= 1 else {
            throw ValidationError("--schedule manual, --every and --daily each set when the job runs; give one of them.")
        }
        if let schedule, schedule.lowercased() != "manual" {
            throw ValidationError("--schedule takes only 'manual'; for a schedule use --every or --daily.")
        }
        if schedule != nil, !windows.isEmpty || retries != nil {
            throw ValidationError(
                "--schedule manual runs the job only when someone starts it, so \(windows.isEmpty ? "--retries" : "--window") has nothing to apply to.")
        }
        if offset != nil, every == nil { throw ValidationError("--offset goes with --every.") }
        if days != nil, daily == nil { throw ValidationError("--days goes with --daily.") }
        if !windows.isEmpty, noWindow { throw ValidationError("--window and --no-window exclude each other.") }
        if noRetries, retries != nil || retryWait != nil {
            throw ValidationError("--no-retries excludes --retries and --retry-wait.")
        }
        if (retries == nil) != (retryWait == nil) { throw ValidationError("--retries and --retry-wait go together.") }
        _ = try trigger()
        _ = try window()
        _ = try retry()
    }

    /// `current` with the parts these options name replaced.
    ///
    /// Throws `CommandFailure` when a window or retries are given for a job that runs only when started.
    func applied(to current: BackupSchedule) throws -> BackupSchedule {
        var schedule = current
        if let trigger = try trigger() { schedule.trigger = trigger }
        if noWindow {
            schedule.window = nil
        } else if let window = try window() {
            schedule.window = window
        }
        if noRetries {
            schedule.retry = nil
        } else if let retry = try retry() {
            schedule.retry = retry
        }
        guard schedule.trigger != .manualOnly else {
            if !windows.isEmpty || retries != nil {
                throw CommandFailure(
                    "The job runs only when someone starts it, so \(windows.isEmpty ? "--retries" : "--window") has nothing to apply "
                        + "to; give --every or --daily as well.")
            }
            // A manual-only job keeps no window or retries: nothing would read them.
            return .manualOnly
        }
        return schedule
    }

    /// Refuses a schedule under which no run could ever start (a daily time, or every periodic slot, outside the window).
    static func requireRuns(_ schedule: BackupSchedule, in timeZone: TimeZone, now: Date) throws {
        guard schedule.trigger != .manualOnly, ScheduleCalendar(schedule: schedule, timeZone: timeZone).nextRun(after: now) == nil
        else { return }
        let when: String
        switch schedule.trigger {
        case .daily(let days, let time): when = "--daily \(time.hourAndMinute) on \(days.words)"
        case .periodically(let interval, let offset): when = "--every \(interval.optionValue) --offset \(offset)"
        case .manualOnly: when = "--schedule manual"
        }
        throw CommandFailure(
            "No run could ever start: \(when) falls outside every hour the backup window (--window) allows "
                + "(\(schedule.window.map(\.words) ?? "none")). Widen the window or move the time.")
    }

    // MARK: Parsing

    private func trigger() throws -> BackupSchedule.Trigger? {
        if schedule != nil { return .manualOnly }
        if let every {
            guard let interval = PeriodicInterval.allCases.first(where: { $0.optionValue == every.lowercased() }) else {
                throw ValidationError(
                    "--every takes \(PeriodicInterval.allCases.map(\.optionValue).joined(separator: ", ")); '\(every)' is not one of them.")
            }
            let offset = offset ?? 0
            guard (0..<interval.minutes).contains(offset) else {
                throw ValidationError("--offset must be 0 to \(interval.minutes - 1) minutes with --every \(interval.optionValue).")
            }
            return .periodically(interval: interval, offsetMinutes: offset)
        }
        if let daily {
            guard daily.split(separator: ":").count == 2, let time = TimeOfDay(parsing: daily) else {
                throw ValidationError("--daily takes a time of day as HH:MM (22:30); '\(daily)' is not one.")
            }
            var chosen = DailyDays.everyday
            if let days {
                guard let parsed = DailyDays.allCases.first(where: { $0.rawValue.lowercased() == days.lowercased() }) else {
                    throw ValidationError(
                        "--days takes everyday, workdays, weekends or a weekday (monday ... sunday); '\(days)' is not one.")
                }
                chosen = parsed
            }
            return .daily(days: chosen, time: time)
        }
        return nil
    }

    private func window() throws -> BackupWindow? {
        guard !windows.isEmpty else { return nil }
        var hours = [Bool](repeating: false, count: 168)
        for text in windows {
            let window = try Self.window(parsing: text)
            for hour in 0..<168 where window.allowedHours[hour] { hours[hour] = true }
        }
        return BackupWindow(allowedHours: hours)
    }

    private func retry() throws -> RetryPolicy? {
        guard let retries, let retryWait else { return nil }
        guard let policy = RetryPolicy(count: retries, waitMinutes: retryWait) else {
            throw ValidationError("--retries must be 1 to 777 and --retry-wait 1 to 10080 minutes (a week).")
        }
        return policy
    }

    /// Weekday abbreviations in `Calendar` order (1 is Sunday).
    static let weekdays = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"]

    /// Parses one `--window` value: `DAYS FROM-TO`, where DAYS is a comma-separated list of weekdays (`mon`, `monday`),
    /// ranges of them (`mon-fri`, `fri-mon`) or `everyday`, `workdays`, `weekends`, and FROM-TO are whole hours 0 to 24
    /// (`20-06` spans midnight into the next day).
    static func window(parsing text: String) throws -> BackupWindow {
        let parts = text.split(whereSeparator: \.isWhitespace)
        let usage = "--window '\(text)': write days and hours, as in 'mon-fri 20-06' or 'sat,sun 0-24'"
        guard parts.count == 2 else { throw ValidationError("\(usage).") }
        var days = Set<Int>()
        for item in parts[0].lowercased().split(separator: ",") {
            switch item {
            case "everyday", "daily": days.formUnion(1...7)
            case "workdays": days.formUnion(2...6)
            case "weekends": days.formUnion([1, 7])
            default:
                let ends = item.split(separator: "-", omittingEmptySubsequences: false)
                guard (1...2).contains(ends.count), let first = weekday(ends[0]), let last = weekday(ends[ends.count - 1]) else {
                    throw ValidationError("\(usage); '\(item)' is not a weekday (mon ... sun) or a range of them.")
                }
                var day = first
                while true {
                    days.insert(day)
                    if day == last { break }
                    day = day % 7 + 1
                }
            }
        }
        let ends = parts[1].split(separator: "-", omittingEmptySubsequences: false)
        guard ends.count == 2, let from = hour(ends[0]), let to = hour(ends[1]), from < 24, from != to else {
            throw ValidationError("\(usage); the hours are two different whole hours from 0 to 24, as in 20-06.")
        }
        let length = to > from ? to - from : to + 24 - from
        var hours = [Bool](repeating: false, count: 168)
        for day in days {
            for offset in 0..<length { hours[((day - 1) * 24 + from + offset) % 168] = true }
        }
        guard let window = BackupWindow(allowedHours: hours) else { throw ValidationError("\(usage).") }
        return window
    }

    private static func weekday(_ text: Substring) -> Int? {
        guard text.count >= 3, let index = weekdays.firstIndex(where: { text.hasPrefix($0) }) else { return nil }
        let full = ["sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"][index]
        return text == weekdays[index] || text == full ? index + 1 : nil
    }

    private static func hour(_ text: Substring) -> Int? {
        let digits = text.hasSuffix(":00") ? text.dropLast(3) : text
        guard (1...2).contains(digits.count), let hour = Int(digits), (0...24).contains(hour) else { return nil }
        return hour
    }
}

extension PeriodicInterval {
    /// How `--every` writes the interval: 5m ... 30m, 1h ... 8h.
    var optionValue: String { minutes < 60 ? "\(minutes)m" : "\(minutes / 60)h" }
}
