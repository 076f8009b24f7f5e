/// The `data` of a successful `POST /backup/m365/restore/jobs`: the new job's id.
struct RestoreJobCreated: Encodable, Sendable {
    /// `RS` + UTC `yyyyMMddHHmmss` + four digits, e.g. `RS202602270354220001`.
    var jobId: String
}
