/// `RESTJobSchedulePolicy`: Lifeboat's jobs run when started (scheduling arrives with its own issue).
struct RESTJobSchedulePolicy: Encodable, Sendable {
    var scheduleEnabled: Bool
    /// `Periodically`, `Daily` or `ManualOnly`.
    var type: String

    /// The policy of a job that only runs when started.
    static let manualOnly = RESTJobSchedulePolicy(scheduleEnabled: false, type: "ManualOnly")
}
