import ChunkStore
import LifeboatModel

extension RepositoryRegistry {
    /// Runs `body` under a shared repository lock, so no prune deletes packs while it reads (a restore); the lock
    /// is refreshed while `body` runs and released when it returns or throws.
    ///
    /// `body` gets the repository from `repository(for:)` as usual: once the lock is held, that call opens it
    /// again if a prune ran since this registry last saw it. Throws `ChunkStoreError.repositoryLocked` while a
    /// prune runs.
    public nonisolated func withReadAccess<Result>(
        to record: BackupRepository, purpose: String, _ body: () async throws -> Result
    ) async throws -> Result {
        let opened = try await repository(for: record)
        return try await opened.locks().withLock(.shared, purpose: purpose) { _ in try await body() }
    }

    /// Takes a shared repository lock held until released or dropped, for reading driven from outside (an export's
    /// archive, pulled by its HTTP consumer); throws `ChunkStoreError.repositoryLocked` while a prune runs. Get the
    /// repository from `repository(for:)` after this returns: that opens it again if a prune ran since this registry
    /// last saw it.
    public nonisolated func holdReadAccess(to record: BackupRepository, purpose: String) async throws -> HeldRepositoryLock {
        try await repository(for: record).locks().hold(.shared, purpose: purpose)
    }
}
