import ChunkStore
import Foundation
import LifeboatModel

extension RepositoryRegistry {
    /// Runs `body` with the repository open for writing under a shared repository lock, so no prune runs meanwhile;
    /// the lock is refreshed while `body` runs and released when it returns or throws.
    ///
    /// When a prune ran since this registry last saw the repository, it is opened again first (its in-memory index
    /// could point at pruned chunks). After a failure the open instance is dropped, so content it stored but could
    /// not make durable is never referenced later. Throws `ChunkStoreError.repositoryLocked` while a prune runs.
    ///
    /// `body` must make its content durable with `RepositoryWriteAccess.flush()` (not `Repository.flush()`) before it
    /// records anything that references the content: that flush fails when a pack upload of the shared instance
    /// failed since this writer started, or when the lock was lost or not refreshed in time.
    public nonisolated func withWriteAccess<Result>(
        to record: BackupRepository, purpose: String, _ body: (RepositoryWriteAccess) async throws -> Result
    ) async throws -> Result {
        let opened = try await repository(for: record)
        return try await opened.locks().withLock(.shared, purpose: purpose) { lock in
            let repository = try await writerStarted(record)
            do {
                let access = RepositoryWriteAccess(
                    repository: repository, lock: lock, uploadFailureMark: await repository.uploadFailureMark)
                let result = try await body(access)
                await writerEnded(record, failed: false)
                return result
            } catch {
                await writerEnded(record, failed: true)
                throw error
            }
        }
    }

    /// Whether a prune replaced the index files since `repository` was opened or its last writer ended, so it must be
    /// opened again. Costs one listing of `index/`; never true while this registry's writers hold the lock.
    func wasPruned(_ repository: Repository, record: BackupRepository) async throws -> Bool {
        guard activeWriters[record.id, default: 0] == 0, let known = indexFilesAtRest[record.id] else { return false }
        return !known.isSubset(of: try await repository.indexFiles())
    }

    /// The repository for a writer that holds the lock (opened again if a prune ran since).
    private func writerStarted(_ record: BackupRepository) async throws -> Repository {
        let repository = try await repository(for: record)
        activeWriters[record.id, default: 0] += 1
        return repository
    }

    /// Notes the index files once the last writer is done; forgets the open instance after a failure or when the
    /// store cannot be listed, so the next use opens it afresh.
    private func writerEnded(_ record: BackupRepository, failed: Bool) async {
        activeWriters[record.id, default: 1] -= 1
        if failed {
            open[record.id] = nil
            indexFilesAtRest[record.id] = nil
        }
        guard activeWriters[record.id] == 0, let repository = open[record.id] else { return }
        if let files = try? await repository.indexFiles() {
            indexFilesAtRest[record.id] = files
        } else {
            open[record.id] = nil
            indexFilesAtRest[record.id] = nil
        }
    }
}
