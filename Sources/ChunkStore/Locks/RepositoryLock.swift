import Foundation
import Logging
import NIOCore
import NIOFoundationCompat

/// A lock this process holds on a repository: its `locks/` object, refreshed while held, deleted on release.
///
/// Objects are write-once, so a refresh writes a new object with a new `refreshed` time and then deletes the
/// previous one. Obtain one from `RepositoryLocks.acquire` or, better, `RepositoryLocks.withLock`, which keeps it
/// refreshed and always releases it.
public actor RepositoryLock {
    /// Shared or exclusive.
    public nonisolated let kind: LockInfo.Kind
    private let store: any ObjectStore
    private let logger: Logger
    private var info: LockInfo
    /// The current lock object's key.
    public private(set) var key: String
    private var lost = false
    private var released = false
    /// When the `refreshed` time of the current lock object was taken (on this process's monotonic clock).
    private var lastRefresh: ContinuousClock.Instant
    /// How long after `lastRefresh` the lock still counts as held: others judge it stale `staleAfter` after its
    /// `refreshed` time, so it is given up earlier, leaving one and a half refresh intervals for slow stores and
    /// clock skew (restic's rule).
    private let holdsFor: Duration

    init(
        store: any ObjectStore, key: String, info: LockInfo, taken: ContinuousClock.Instant, policy: LockPolicy, logger: Logger
    ) {
        self.store = store
        self.key = key
        self.info = info
        self.kind = info.kind
        self.logger = logger
        self.lastRefresh = taken
        self.holdsFor = policy.staleAfter - policy.refreshInterval * 3 / 2
    }

    /// Rewrites the lock with the current time as `refreshed`.
    ///
    /// Throws `ChunkStoreError.lockLost` when the lock object was removed meanwhile (someone judged it stale and
    /// may have taken a conflicting lock since): the lock is not recreated, and `confirm()` fails from then on.
    public func refresh() async throws {
        guard !released else { return }
        try await confirm()
        var refreshed = info
        let started = ContinuousClock.now
        refreshed.refreshed = Date()
        let newKey = RepositoryLocks.newKey()
        try await store.put(key: newKey, data: ByteBuffer(data: try refreshed.encoded()))
        if released {
            // Released while the new object was being written: it must not outlive the lock.
            try await store.delete(key: newKey)
            return
        }
        let old = key
        key = newKey
        info = refreshed
        lastRefresh = started
        try await store.delete(key: old)
    }

    /// Throws `ChunkStoreError.lockLost` unless the lock object still exists and was refreshed recently enough that
    /// no other process can judge it stale yet: call it right before an irreversible step that only this lock makes
    /// safe (a prune deleting packs, a backup committing a restore point).
    ///
    /// Once it has thrown it always throws: a lock that may have been broken protects nothing any more.
    public func confirm() async throws {
        if !lost, ContinuousClock.now - lastRefresh > holdsFor {
            lost = true
            logger.error(
                "repository lock was not refreshed in time; other processes may judge it stale",
                metadata: ["lifeboat.lock": "\(key)"])
        }
        if !lost, try await store.head(key: key) == nil { lost = true }
        if lost { throw ChunkStoreError.lockLost(key: key) }
    }

    /// Whether the lock was lost (removed by someone else, or not refreshed in time), as far as this process knows.
    public var isLost: Bool { lost }

    /// Deletes the lock object; failures are logged (the lock then goes stale and `repo unlock` removes it).
    public func release() async {
        guard !released else { return }
        released = true
        do {
            try await store.delete(key: key)
        } catch {
            logger.warning(
                "could not remove repository lock; it will go stale",
                metadata: ["lifeboat.lock": "\(key)", "lifeboat.error": "\(error)"])
        }
    }

    /// Refreshes the lock every `interval` until the calling task is cancelled or the lock is lost.
    func keepRefreshed(every interval: Duration) async {
        while !released {
            do {
                try await Task.sleep(for: interval)
            } catch {
                return
            }
            do {
                try await refresh()
            } catch ChunkStoreError.lockLost(let key) {
                logger.error(
                    "repository lock was removed while held; stop other work on this repository",
                    metadata: ["lifeboat.lock": "\(key)"])
                return
            } catch {
                logger.warning("could not refresh repository lock", metadata: ["lifeboat.lock": "\(key)", "lifeboat.error": "\(error)"])
            }
        }
    }
}
