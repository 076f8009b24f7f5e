import Foundation

/// When a job runs by itself, in Veeam's vocabulary (`RESTJobSchedulePolicy`): never, every few minutes or hours, or
/// once a day on chosen weekdays, only inside the hours a window allows, with retries of a run that did not succeed.
///
/// Times of day and window hours are wall-clock times in the organization's time zone; `ScheduleCalendar` (in
/// `BackupEngine`) turns a schedule into instants, across daylight-saving changes.
public struct BackupSchedule: Sendable, Hashable, Codable {
    /// What starts a run.
    public enum Trigger: Sendable, Hashable, Codable {
        /// Only a person or a script starts runs.
        case manualOnly
        /// Every `interval`, at the wall-clock minutes of the day that are `offsetMinutes` past a multiple of it
        /// (every 4 hours with offset 30: 00:30, 04:30, 08:30…).
        case periodically(interval: PeriodicInterval, offsetMinutes: Int)
        /// Once on each of `days`, at `time`.
        case daily(days: DailyDays, time: TimeOfDay)
    }

    /// What starts a run.
    public var trigger: Trigger
    /// The hours of the week in which scheduled runs may start; nil allows every hour.
    public var window: BackupWindow?
    /// How a scheduled run that ended failed or with warnings is tried again; nil never retries.
    public var retry: RetryPolicy?

    /// Creates a schedule.
    public init(trigger: Trigger, window: BackupWindow? = nil, retry: RetryPolicy? = nil) {
        self.trigger = trigger
        self.window = window
        self.retry = retry
    }

    /// Runs only when started: the schedule of a new job.
    public static let manualOnly = BackupSchedule(trigger: .manualOnly)
}

/// The intervals Veeam offers for periodic runs (`periodicallyEvery`).
public enum PeriodicInterval: String, Sendable, Hashable, Codable, CaseIterable {
    case minutes5 = "Minutes5"
    case minutes10 = "Minutes10"
    case minutes15 = "Minutes15"
    case minutes30 = "Minutes30"
    case hours1 = "Hours1"
    case hours2 = "Hours2"
    case hours4 = "Hours4"
    case hours8 = "Hours8"

    /// The interval's length in minutes.
    public var minutes: Int {
        switch self {
        case .minutes5: 5
        case .minutes10: 10
        case .minutes15: 15
        case .minutes30: 30
        case .hours1: 60
        case .hours2: 120
        case .hours4: 240
        case .hours8: 480
        }
    }
}

/// The days a daily schedule runs on (`dailyType`).
public enum DailyDays: String, Sendable, Hashable, Codable, CaseIterable {
    case everyday = "Everyday"
    case workdays = "Workdays"
    case weekends = "Weekends"
    case monday = "Monday"
    case tuesday = "Tuesday"
    case wednesday = "Wednesday"
    case thursday = "Thursday"
    case friday = "Friday"
    case saturday = "Saturday"
    case sunday = "Sunday"

    /// Whether the schedule runs on `weekday`, numbered as `Calendar` does: 1 is Sunday, 7 is Saturday.
    public func includes(weekday: Int) -> Bool {
        switch self {
        case .everyday: true
        case .workdays: (2...6).contains(weekday)
        case .weekends: weekday == 1 || weekday == 7
        case .sunday: weekday == 1
        case .monday: weekday == 2
        case .tuesday: weekday == 3
        case .wednesday: weekday == 4
        case .thursday: weekday == 5
        case .friday: weekday == 6
        case .saturday: weekday == 7
        }
    }
}

/// A wall-clock time of day, to the minute.
public struct TimeOfDay: Sendable, Hashable, Codable, CustomStringConvertible {
    /// 0 to 23.
    public let hour: Int
    /// 0 to 59.
    public let minute: Int

    /// A time of day; nil when `hour` or `minute` is out of range.
    public init?(hour: Int, minute: Int) {
        guard (0..<24).contains(hour), (0..<60).contains(minute) else { return nil }
        self.hour = hour
        self.minute = minute
    }

    /// Parses `HH:mm` or `HH:mm:ss` (Veeam's `dailyTime`; seconds must be 0); nil for anything else.
    public init?(parsing text: String) {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard (2...3).contains(parts.count), parts.allSatisfy({ (1...2).contains($0.count) && $0.allSatisfy(\.isASCII) }),
            let hour = Int(parts[0]), let minute = Int(parts[1]), parts.count == 2 || Int(parts[2]) == 0
        else { return nil }
        self.init(hour: hour, minute: minute)
    }

    /// `HH:mm:ss`, as Veeam writes `dailyTime`.
    public var description: String {
        (hour < 10 ? "0" : "") + "\(hour):" + (minute < 10 ? "0" : "") + "\(minute):00"
    }
}

/// The hours of a week in which scheduled runs may start: 168 flags, one per hour from Sunday 00:00 to Saturday 23:00,
/// wall-clock time in the organization's time zone (Veeam's `backupWindow`).
public struct BackupWindow: Sendable, Hashable, Codable {
    /// One flag per hour of the week, Sunday 00:00 first.
    public let allowedHours: [Bool]

    /// A window from Veeam's 168 flags; nil when there are not exactly 168 or none is set (a window that never opens).
    public init?(allowedHours: [Bool]) {
        guard allowedHours.count == 168, allowedHours.contains(true) else { return nil }
        self.allowedHours = allowedHours
    }

    /// A window open on `days` (weekdays as `Calendar` numbers them, 1 is Sunday) from `start` to `end` o'clock
    /// (`end` excluded; a start after the end spans midnight into the next day).
    public init?(days: Set<Int>, fromHour start: Int, toHour end: Int) {
        guard (0..<24).contains(start), (0...24).contains(end), start != end else { return nil }
        var hours = [Bool](repeating: false, count: 168)
        for day in days where (1...7).contains(day) {
            let length = (end - start + 24) % 24
            for offset in 0..<length {
                hours[((day - 1) * 24 + start + offset) % 168] = true
            }
        }
        self.init(allowedHours: hours)
    }

    /// Whether runs may start in the hour `hour` (0–23) of `weekday` (1 is Sunday).
    public func allows(weekday: Int, hour: Int) -> Bool {
        allowedHours[(weekday - 1) * 24 + hour]
    }
}

/// How a scheduled run that ended failed or with warnings is tried again (`retryNumber`, `retryWaitInterval`).
public struct RetryPolicy: Sendable, Hashable, Codable {
    /// Retries after the first run, at least 1.
    public let count: Int
    /// Minutes between a run's end and its retry, at least 1.
    public let waitMinutes: Int

    /// A retry policy; nil unless both numbers are at least 1 (and at most 777 retries and a week of waiting, Veeam's
    /// bounds).
    public init?(count: Int, waitMinutes: Int) {
        guard (1...777).contains(count), (1...10_080).contains(waitMinutes) else { return nil }
        self.count = count
        self.waitMinutes = waitMinutes
    }
}
