/// A lock held across calls rather than for one closure: for readers driven from outside, such as an export streamed as
/// an HTTP body, whose consumer decides when the next bytes are read, so no `withLock` scope can surround the reading.
///
/// A task of its own refreshes the lock until `release()`. It is unstructured because nothing else outlives the calls
/// that use the lock; it ends when the lock is released, lost, or dropped. A lock dropped without `release()` (its reader
/// abandoned) is released then.
public final class HeldRepositoryLock: Sendable {
    /// The lock itself (`confirm()` before an irreversible step).
    public let lock: RepositoryLock
    private let refresher: Task<Void, Never>

    init(_ lock: RepositoryLock, refreshInterval: Duration) {
        self.lock = lock
        refresher = Task { await lock.keepRefreshed(every: refreshInterval) }
    }

    /// Stops refreshing and deletes the lock object.
    public func release() async {
        refresher.cancel()
        await lock.release()
    }

    deinit {
        refresher.cancel()
        let lock = lock
        Task { await lock.release() }
    }
}

extension RepositoryLocks {
    /// Takes a lock of `kind` for `purpose` and keeps it refreshed until it is released or dropped (see
    /// `HeldRepositoryLock`); throws what `acquire` throws. Prefer `withLock` wherever the work fits in a closure.
    public func hold(_ kind: LockInfo.Kind, purpose: String) async throws -> HeldRepositoryLock {
        HeldRepositoryLock(try await acquire(kind, purpose: purpose), refreshInterval: policy.refreshInterval)
    }
}
