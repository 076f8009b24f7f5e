/// One object under `locks/` as `RepositoryLocks.list()` found it.
public struct StoredLock: Sendable, Hashable {
    /// The object key, `locks/<64 hex digits>`.
    public var key: String
    /// The lock's content; nil when the object is not a readable lock (such an object blocks nobody).
    public var info: LockInfo?
    /// Whether the lock no longer protects anything: not refreshed within `LockPolicy.staleAfter`, held by a
    /// process that no longer exists on this host, or unreadable. `lifeboat repo unlock` removes stale locks.
    public var isStale: Bool

    /// Creates a listing entry.
    public init(key: String, info: LockInfo?, isStale: Bool) {
        self.key = key
        self.info = info
        self.isStale = isStale
    }
}
