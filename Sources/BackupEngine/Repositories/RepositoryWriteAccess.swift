import ChunkStore

/// One writer's access to a repository under its shared lock (see `RepositoryRegistry.withWriteAccess`).
///
/// Several backup runs may share one `Repository` instance; this remembers what concerns this writer alone: the
/// pack upload failures it must not miss and the lock that keeps prune away.
public struct RepositoryWriteAccess: Sendable {
    /// The repository to store content in and read it from.
    public let repository: Repository
    /// The shared lock this writer holds.
    public let lock: RepositoryLock
    /// Pack upload failures of `repository` up to when this writer started.
    let uploadFailureMark: UploadFailureMark

    /// Makes everything stored so far durable, then checks the lock still holds: call it right before recording
    /// anything that references the content (committing a restore point).
    ///
    /// Throws when any pack upload of the instance failed since this writer started (content it stored or
    /// deduplicated against may have been in it), or `ChunkStoreError.lockLost` when the lock was removed or not
    /// refreshed in time, so a prune may have deleted packs this writer's content uses.
    public func flush() async throws {
        try await repository.flush(failingOnUploadsFailedSince: uploadFailureMark)
        try await lock.confirm()
    }
}
