import Catalog
import Foundation

/// The validated query of `GET /v6/RestorePoints` (seed 003): every parameter optional, names case-insensitive.
///
/// A malformed value is a `RequestError.invalidField` naming the parameter (400), never a server error.
struct RestorePointsQuery: Sendable {
    /// The catalog filter: organization, job, repository, and "backed up after" `backupTime`.
    var filter: RestorePointFilter
    /// Keep only points that are (true) or are not (false) long-term copies in object storage.
    var isLongTermCopy: Bool?
    /// Keep only points that were (true) or were not (false) retrieved from object storage.
    var isRetrieved: Bool?

    /// Validates the query parameters.
    init(_ query: CaseInsensitiveQuery) throws {
        filter = RestorePointFilter(
            organizationID: try query.uuid("organizationId"), jobID: try query.uuid("jobId"),
            repositoryID: try query.uuid("repositoryId"))
        if let raw = query["backupTime"], !raw.trimmingCharacters(in: .whitespaces).isEmpty {
            guard let time = VeeamDateTime.parse(raw) ?? query.percentDecoded("backupTime").flatMap(VeeamDateTime.parse) else {
                throw RequestError.invalidField(
                    name: "backupTime",
                    reason: "'\(raw)' is not a date and time (use yyyy-MM-dd HH:mm:ss.SSS, yyyy.MM.dd hh:mm:ss or ISO 8601)")
            }
            filter.backupTimeAfter = time
        }
        isLongTermCopy = try query.bool("isLongTermCopy")
        isRetrieved = try query.bool("isRetrieved")
    }

    /// Whether a restore point passes the `isLongTermCopy` and `isRetrieved` conditions.
    func admits(_ point: RESTRestorePoint) -> Bool {
        (isLongTermCopy.map { $0 == point.isLongTermCopy } ?? true) && (isRetrieved.map { $0 == point.isRetrieved } ?? true)
    }
}
