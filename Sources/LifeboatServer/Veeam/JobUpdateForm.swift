import Foundation
import LifeboatModel

/// A `PUT /v6/Jobs/{jobId}` body (`RESTJob`) read against the job it edits: what changes, validated as Veeam validates
/// it, each bad value a `RequestError.invalidField` naming the field (`schedulePolicy.dailyTime`).
///
/// Clients edit a job by sending back what `GET` answered with their changes, so properties that are read-only
/// (`id`, `lastRun`, `nextRun`, `lastStatus`, `_links`) are ignored, and those Lifeboat cannot change through this
/// route yet (`name`, `description`, `repositoryId`, `backupType`, `selectedItems`, `excludedItems`) are accepted
/// as long as they are unchanged, refused naming the field otherwise: never silently dropped.
struct JobUpdateForm: Sendable {
    /// The schedule to store; nil when the body has no `schedulePolicy`.
    var schedule: BackupSchedule?
    /// Whether the job is enabled from now on; nil when the body has no `isEnabled`.
    var isEnabled: Bool?
    /// Whether to start a run once the job is updated (`runNow`).
    var runNow: Bool

    /// Reads `json` as an edit of `job` (whose wire form is `current`).
    init(_ json: CaseInsensitiveJSON, job: BackupJob, current: StrictJSON) throws {
        if let id = try json.string("id", field: "id"), UUID(uuidString: id) != job.id {
            throw RequestError.invalidField(name: "id", reason: "'\(id)' is not the id of the job at this path")
        }
        for field in ["name", "description", "repositoryId", "backupType", "selectedItems", "excludedItems"] {
            guard let sent = json.value(field) else { continue }
            guard let now = current[field], Self.comparable(sent) == Self.comparable(now) else {
                throw RequestError.invalidField(
                    name: field, reason: "Lifeboat cannot change it through this route yet; send the job's current value or leave it out")
            }
        }
        isEnabled = try json.bool("isEnabled", field: "isEnabled")
        runNow = try json.bool("runNow", field: "runNow") ?? false
        schedule = try json.object("schedulePolicy", field: "schedulePolicy").map(Self.schedule)
    }

    /// A schedule from a `RESTJobSchedulePolicy`.
    ///
    /// `scheduleEnabled: false` (or type `ManualOnly`) is a job that runs only when started; `Periodically` needs
    /// `periodicallyEvery` and takes `periodicallyOffsetMinutes` (0 by default, less than the interval and an hour);
    /// `Daily` needs `dailyType` and `dailyTime` (`HH:mm` or `HH:mm:ss`). With `backupWindowEnabled`, the window's 168
    /// hourly flags are required and one at least must be set; with `retryEnabled`, `retryNumber` (1–777, default 3)
    /// and `retryWaitInterval` (minutes, 1–10080, default 10).
    static func schedule(_ policy: CaseInsensitiveJSON) throws -> BackupSchedule {
        let prefix = "schedulePolicy."
        let enabled = try policy.bool("scheduleEnabled", field: prefix + "scheduleEnabled")
        let type = try policy.string("type", field: prefix + "type")
        if enabled == false || type?.caseInsensitiveCompare("ManualOnly") == .orderedSame {
            return .manualOnly
        }
        let trigger: BackupSchedule.Trigger
        switch type?.lowercased() {
        case "periodically":
            let every = try required(policy, "periodicallyEvery", PeriodicInterval.self)
            let offset = try policy.integer("periodicallyOffsetMinutes", field: prefix + "periodicallyOffsetMinutes") ?? 0
            let limit = min(every.minutes, 60)
            guard (0..<limit).contains(offset) else {
                throw RequestError.invalidField(
                    name: prefix + "periodicallyOffsetMinutes", reason: "\(offset) is not a whole number of minutes from 0 to \(limit - 1)")
            }
            trigger = .periodically(interval: every, offsetMinutes: offset)
        case "daily":
            let days = try required(policy, "dailyType", DailyDays.self)
            guard let text = try policy.string("dailyTime", field: prefix + "dailyTime") else {
                throw RequestError.invalidField(name: prefix + "dailyTime", reason: "required for a Daily schedule (HH:mm:ss)")
            }
            guard let time = TimeOfDay(parsing: text) else {
                throw RequestError.invalidField(name: prefix + "dailyTime", reason: "'\(text)' is not a time of day HH:mm:ss (00:00:00 to 23:59:00)")
            }
            trigger = .daily(days: days, time: time)
        case nil:
            throw RequestError.invalidField(name: prefix + "type", reason: "required: Periodically, Daily or ManualOnly")
        default:
            throw RequestError.invalidField(name: prefix + "type", reason: "'\(type ?? "")' is not Periodically, Daily or ManualOnly")
        }
        return BackupSchedule(trigger: trigger, window: try window(policy), retry: try retry(policy))
    }

    private static func window(_ policy: CaseInsensitiveJSON) throws -> BackupWindow? {
        let field = "schedulePolicy.backupWindowSettings"
        guard try policy.bool("backupWindowEnabled", field: "schedulePolicy.backupWindowEnabled") == true else { return nil }
        guard let settings = try policy.object("backupWindowSettings", field: field) else {
            throw RequestError.invalidField(name: field, reason: "required when backupWindowEnabled is true")
        }
        if let offset = try settings.integer("minuteOffset", field: field + ".minuteOffset"), offset != 0 {
            throw RequestError.invalidField(name: field + ".minuteOffset", reason: "Lifeboat's windows start on the hour: only 0 is supported")
        }
        guard let flags = settings.value("backupWindow")?.arrayValue else {
            throw RequestError.invalidField(name: field + ".backupWindow", reason: "required: an array of 168 booleans, one per hour from Sunday 00:00")
        }
        let hours = flags.compactMap { flag -> Bool? in
            if case .bool(let allowed) = flag { return allowed }
            return nil
        }
        guard hours.count == flags.count, hours.count == 168 else {
            throw RequestError.invalidField(
                name: field + ".backupWindow", reason: "expected 168 booleans, one per hour from Sunday 00:00 (got \(flags.count) values)")
        }
        guard let window = BackupWindow(allowedHours: hours) else {
            throw RequestError.invalidField(name: field + ".backupWindow", reason: "allows no hour at all, so no run could ever start")
        }
        return window
    }

    private static func retry(_ policy: CaseInsensitiveJSON) throws -> RetryPolicy? {
        let prefix = "schedulePolicy."
        guard try policy.bool("retryEnabled", field: prefix + "retryEnabled") == true else { return nil }
        let count = try policy.integer("retryNumber", field: prefix + "retryNumber") ?? 3
        let wait = try policy.integer("retryWaitInterval", field: prefix + "retryWaitInterval") ?? 10
        guard (1...777).contains(count) else {
            throw RequestError.invalidField(name: prefix + "retryNumber", reason: "\(count) is not a number of retries from 1 to 777")
        }
        guard let retry = RetryPolicy(count: count, waitMinutes: wait) else {
            throw RequestError.invalidField(name: prefix + "retryWaitInterval", reason: "\(wait) is not a number of minutes from 1 to 10080")
        }
        return retry
    }

    /// A required enumeration member of the policy, matched in any letter case as ASP.NET binds enums.
    private static func required<Value: RawRepresentable & CaseIterable>(
        _ policy: CaseInsensitiveJSON, _ name: String, _: Value.Type
    ) throws -> Value where Value.RawValue == String {
        let field = "schedulePolicy." + name
        let allowed = Value.allCases.map(\.rawValue).joined(separator: ", ")
        guard let text = try policy.string(name, field: field) else {
            throw RequestError.invalidField(name: field, reason: "required: one of \(allowed)")
        }
        guard let value = Value.allCases.first(where: { $0.rawValue.caseInsensitiveCompare(text) == .orderedSame }) else {
            throw RequestError.invalidField(name: field, reason: "'\(text)' is not one of \(allowed)")
        }
        return value
    }

    /// A value with object members in a fixed order and letter case, `null` members and `_links` left out, numbers
    /// compared by value: what a client echoing the job back may change without meaning to.
    private static func comparable(_ value: StrictJSON) -> StrictJSON {
        switch value {
        case .object(let members):
            let kept = members.filter { !$0.value.isNull && $0.name.lowercased() != "_links" }
            let byName = Dictionary(kept.map { ($0.name.lowercased(), comparable($0.value)) }, uniquingKeysWith: { _, last in last })
            return .object(byName.keys.sorted().map { ($0, byName[$0]!) })
        case .array(let elements):
            return .array(elements.map(comparable))
        case .number(let text):
            return .number(Double(text).map { "\($0)" } ?? text)
        case .string(let text) where UUID(uuidString: text) != nil:
            return .string(text.lowercased())
        default:
            return value
        }
    }
}
