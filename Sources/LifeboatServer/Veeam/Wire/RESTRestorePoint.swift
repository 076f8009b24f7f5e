import Foundation
import LifeboatModel

/// `RESTRestorePoint` (seed 003).
///
/// Lifeboat keeps no long-term copies and retrieves nothing from archive tiers, so `isLongTermCopy` and
/// `isRetrieved` are false and `retrievalId` is the empty UUID, as in Veeam's own answers for ordinary points.
struct RESTRestorePoint: Encodable, Sendable {
    var id: String
    var repositoryId: String
    var backupTime: Date
    var jobId: String
    var retrievalId: String
    var organizationId: String
    var isExchange: Bool
    var isSharePoint: Bool
    var isOneDrive: Bool
    var isTeams: Bool
    var isLongTermCopy: Bool
    var isRetrieved: Bool
    var _links: [String: RESTLink]

    /// The wire form of a committed restore point.
    init(_ point: RestorePoint) {
        let id = point.id.veeamID
        self.id = id
        self.repositoryId = point.repositoryID.veeamID
        self.backupTime = point.backupTime
        self.jobId = point.jobID.veeamID
        self.retrievalId = "00000000-0000-0000-0000-000000000000"
        self.organizationId = point.organizationID.veeamID
        self.isExchange = false
        self.isSharePoint = point.isSharePoint
        self.isOneDrive = point.isOneDrive
        self.isTeams = false
        self.isLongTermCopy = false
        self.isRetrieved = false
        self._links = [
            "self": RESTLink(href: "/v6/RestorePoints/\(id)"),
            "organization": RESTLink(href: "/v6/Organizations/\(point.organizationID.veeamID)"),
            "backupRepository": RESTLink(href: "/v6/BackupRepositories/\(point.repositoryID.veeamID)"),
        ]
    }
}
