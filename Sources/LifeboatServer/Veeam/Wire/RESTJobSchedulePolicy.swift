import LifeboatModel

/// `RESTJobSchedulePolicy`: when a job runs by itself, in Veeam's shape, rendered from a `BackupSchedule` (the reverse,
/// with Veeam's validation, is `JobUpdateForm`).
///
/// A manual-only schedule has `scheduleEnabled` false and type `ManualOnly`; the hours a window allows are
/// `backupWindowSettings.backupWindow` (168 flags from Sunday 00:00, in the organization's time zone) and Lifeboat's
/// windows start on the hour (`minuteOffset` 0). `retryWaitInterval` is in minutes.
struct RESTJobSchedulePolicy: Encodable, Sendable {
    var scheduleEnabled: Bool
    /// `Periodically`, `Daily` or `ManualOnly`.
    var type: String
    var periodicallyEvery: String?
    var periodicallyOffsetMinutes: Int?
    var dailyType: String?
    /// `HH:mm:ss`.
    var dailyTime: String?
    var backupWindowEnabled: Bool
    var backupWindowSettings: RESTBackupWindowSettings?
    var retryEnabled: Bool
    var retryNumber: Int?
    var retryWaitInterval: Int?

    /// The wire form of `schedule`.
    init(_ schedule: BackupSchedule) {
        switch schedule.trigger {
        case .manualOnly:
            scheduleEnabled = false
            type = "ManualOnly"
        case .periodically(let interval, let offsetMinutes):
            scheduleEnabled = true
            type = "Periodically"
            periodicallyEvery = interval.rawValue
            periodicallyOffsetMinutes = offsetMinutes
        case .daily(let days, let time):
            scheduleEnabled = true
            type = "Daily"
            dailyType = days.rawValue
            dailyTime = time.description
        }
        backupWindowEnabled = schedule.window != nil
        backupWindowSettings = schedule.window.map { RESTBackupWindowSettings(backupWindow: $0.allowedHours, minuteOffset: 0) }
        retryEnabled = schedule.retry != nil
        retryNumber = schedule.retry?.count
        retryWaitInterval = schedule.retry?.waitMinutes
    }
}

/// `RESTBackupWindowSettings`: the hours of a week a schedule allows.
struct RESTBackupWindowSettings: Encodable, Sendable {
    /// 168 flags, one per hour from Sunday 00:00.
    var backupWindow: [Bool]
    /// Minutes past the hour at which each allowed hour starts; always 0 in Lifeboat.
    var minuteOffset: Int
}
