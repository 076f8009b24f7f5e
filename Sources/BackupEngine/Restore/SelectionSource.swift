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
        let (point, record) = try await locate(selection, catalog: catalog)
        return try await open(selection, point: point, record: record, catalog: catalog, repositories: repositories)
    }

    private static func open(
        _ selection: RestoreSelection, point: RestorePoint, record: BackupRepository, catalog: any CatalogStore,
        repositories: RepositoryRegistry
    ) async throws -> SelectionSource {
        let repository = try await repositories.repository(for: record)
        let label = try await catalog.drive(id: selection.driveID).map(Self.label) ?? selection.driveID
        return SelectionSource(point: point, repository: repository, driveLabel: label)
    }

    /// Opens the repository of the selection's restore point under a shared lock on it, held until released or
    /// dropped (see `RepositoryRegistry.holdReadAccess`). Throws what `open` throws, and
    /// `ChunkStoreError.repositoryLocked` while a prune holds the repository.
    static func openHoldingLock(
        _ selection: RestoreSelection, catalog: any CatalogStore, repositories: RepositoryRegistry, purpose: String
    ) async throws -> (SelectionSource, HeldRepositoryLock) {
        let (point, record) = try await locate(selection, catalog: catalog)
        let lock = try await repositories.holdReadAccess(to: record, purpose: purpose)
        do {
            // Opened again once the lock is held: a prune may have run since the registry last saw the repository.
            return (try await open(selection, point: point, record: record, catalog: catalog, repositories: repositories), lock)
        } catch {
            await lock.release()
            throw error
        }
    }

    /// Runs `body` (which opens and reads the selection) under a shared lock on the repository of the selection's
    /// restore point, so no prune deletes packs it reads meanwhile. Throws what `open` throws, and
    /// `ChunkStoreError.repositoryLocked` while a prune holds the repository.
    static func withLock<Result>(
        on selection: RestoreSelection, catalog: any CatalogStore, repositories: RepositoryRegistry, purpose: String,
        _ body: () async throws -> Result
    ) async throws -> Result {
        let (_, record) = try await locate(selection, catalog: catalog)
        return try await repositories.withReadAccess(to: record, purpose: purpose, body)
    }

    /// The selection's restore point and the record of the repository it lives in.
    private static func locate(
        _ selection: RestoreSelection, catalog: any CatalogStore
    ) async throws -> (RestorePoint, BackupRepository) {
        guard let point = try await catalog.restorePoint(sequence: selection.restorePointSequence),
            point.jobID == selection.jobID
        else {
            throw EngineError.invalidRestoreRequest("job \(selection.jobID) has no restore point \(selection.restorePointSequence)")
        }
        guard let record = try await catalog.repository(id: point.repositoryID) else {
            throw EngineError.repositoryNotFound(point.repositoryID)
        }
        return (point, record)
    }

    static func label(_ drive: ProtectedDrive) -> String {
        switch drive.kind {
        case .oneDrive: return "\(drive.ownerDisplayName ?? drive.ownerUPN ?? drive.name)'s OneDrive"
        case .documentLibrary: return "\(drive.siteTitle ?? drive.siteURL ?? "Site")/\(drive.name)"
        }
    }
}
