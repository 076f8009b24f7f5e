import Foundation
import LifeboatModel

/// `RESTBackupRepository`: a repository jobs store their backups in.
///
/// Lifeboat's repositories are a local folder or an S3-compatible bucket (`path` says which, `s3://bucket/prefix` for
/// the latter), always encrypted, never a long-term copy and never out of sync with the catalog. Retention is not
/// configured per repository yet, so the retention fields are left out (Veeam's document makes them nullable).
struct RESTBackupRepository: Encodable, Sendable {
    var id: String
    var name: String
    var description: String
    var path: String
    var isOutOfSync: Bool
    var isLongTerm: Bool
    var objectStorageEncryptionEnabled: Bool?
    var _links: [String: RESTLink]

    /// The wire form of a registered repository.
    init(_ repository: BackupRepository) {
        let id = repository.id.veeamID
        self.id = id
        self.name = repository.name
        self.description = repository.description
        self.path = repository.location
        self.isOutOfSync = false
        self.isLongTerm = false
        self.objectStorageEncryptionEnabled = repository.location.hasPrefix("s3://") ? true : nil
        self._links = ["self": RESTLink(href: "/v6/BackupRepositories/\(id)")]
    }
}
