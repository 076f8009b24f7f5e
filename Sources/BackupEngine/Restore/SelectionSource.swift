import Catalog
import ChunkStore
import Foundation
import LifeboatModel

/// What restoring or exporting a `RestoreSelection` reads from: its restore point's repository and the drive's name.
struct SelectionSource: Sendable {
    let point: RestorePoint
    let repository: Repository
    /// How the drive is named in events, errors and export paths (`Alex Wilber's OneDrive`, `Finance/Documents`).
    let driveLabel: String

    /// Opens the repository of the selection's restore point.
    /// - Throws: `EngineError.invalidRestoreRequest` when the job has no such restore point,
    ///   `EngineError.repositoryNotFound` when its repository record is gone.
    static func open(
        _ selection: RestoreSelection, catalog: any CatalogStore, repositories: RepositoryRegistry
    ) async throws -> SelectionSource {
        let points = try await catalog.restorePoints(RestorePointFilter(jobID: selection.jobID))
        guard let point = points.first(where: { $0.sequence == selection.restorePointSequence }) else {
            throw EngineError.invalidRestoreRequest("job \(selection.jobID) has no restore point \(selection.restorePointSequence)")
        }
        guard let record = try await catalog.repository(id: point.repositoryID) else {
            throw EngineError.repositoryNotFound(point.repositoryID)
        }
        let repository = try await repositories.repository(for: record)
        let label = try await catalog.drive(id: selection.driveID).map(Self.label) ?? selection.driveID
        return SelectionSource(point: point, repository: repository, driveLabel: label)
    }

    static func label(_ drive: ProtectedDrive) -> String {
        switch drive.kind {
        case .oneDrive: return "\(drive.ownerDisplayName ?? drive.ownerUPN ?? drive.name)'s OneDrive"
        case .documentLibrary: return "\(drive.siteTitle ?? drive.siteURL ?? "Site")/\(drive.name)"
        }
    }
}
