import Catalog
import Foundation
import LifeboatModel

/// An organization, a repository and a job inserted into a catalog, the minimum a restore point needs.
struct CatalogSeed {
    let organization: Organization
    let repository: BackupRepository
    let job: BackupJob

    /// A fixed instant with whole milliseconds (what the catalog stores exactly).
    static let epoch = Date(timeIntervalSince1970: 1_700_000_000)

    /// Inserts a fresh organization, repository and job.
    static func insert(into catalog: SQLCatalog, name: String = "contoso") async throws -> CatalogSeed {
        let organization = Organization(
            name: "\(name).onmicrosoft.com", tenantID: "\(name)-tenant", clientID: "\(name)-client",
            loginBaseURL: "https://login.example", graphBaseURL: "https://graph.example/v1.0", createdAt: epoch
        )
        try await catalog.insertOrganization(organization)
        let repository = BackupRepository(name: "\(name) repo", location: "/tmp/\(name)", createdAt: epoch)
        try await catalog.insertRepository(repository)
        let job = BackupJob(
            organizationID: organization.id, repositoryID: repository.id, name: "\(name) daily",
            scope: .entireOrganization, createdAt: epoch
        )
        try await catalog.insertJob(job)
        return CatalogSeed(organization: organization, repository: repository, job: job)
    }

    /// Begins a restore point of the job `minutes` after the epoch.
    func begin(_ catalog: SQLCatalog, minutes: Int, job: BackupJob? = nil) async throws -> RestorePoint {
        try await catalog.beginRestorePoint(
            jobID: (job ?? self.job).id, runID: UUID(), organizationID: organization.id, repositoryID: repository.id,
            backupTime: Self.epoch.addingTimeInterval(Double(minutes) * 60), isOneDrive: true, isSharePoint: false
        )
    }
}
