import Foundation
import Logging
import NIOCore
import NIOFoundationCompat
import ProcessIdentity

/// The `locks/` objects of a repository store: taking, listing and breaking locks, as restic does.
///
/// Writers (backup runs) take shared locks, `prune` an exclusive one. Taking a lock writes its object first and
/// lists the others afterwards, backing off when a conflicting live lock shows up, so two processes racing for
/// conflicting locks never both win (both may lose; try again). Needs no password: locks are clear JSON.
public struct RepositoryLocks: Sendable {
    static let prefix = "locks/"

    let store: any ObjectStore
    /// When locks are refreshed and when they go stale.
    public let policy: LockPolicy
    private let logger: Logger

    /// Works on the locks of the repository in `store`.
    public init(store: any ObjectStore, policy: LockPolicy = .default, logger: Logger = Logger(label: "lifeboat.chunkstore")) {
        self.store = store
        self.policy = policy
        self.logger = logger
    }

    /// Every lock object, oldest key first, with whether it is stale now.
    ///
    /// A lock being refreshed is written anew and its old object deleted, so one pass can list the old object, find
    /// it gone when reading it, and miss the new one. Whenever a listed lock vanished while being read the listing is
    /// therefore repeated, until a pass reads every lock it listed (as restic does). Throws
    /// `ChunkStoreError.storeUnavailable` when `maximumListingPasses` passes in a row saw locks vanish.
    public func list() async throws -> [StoredLock] {
        for _ in 0..<Self.maximumListingPasses {
            if let locks = try await listOnce() { return locks }
        }
        throw ChunkStoreError.storeUnavailable(
            operation: "list", key: Self.prefix,
            reason: "lock objects kept vanishing while being read in \(Self.maximumListingPasses) listings")
    }

    /// How many listings of `locks/` `list()` tries before giving up on getting a stable one.
    static let maximumListingPasses = 20

    /// One listing with every lock read; nil when a listed lock vanished before it could be read.
    private func listOnce() async throws -> [StoredLock]? {
        var locks: [StoredLock] = []
        let now = Date()
        for object in try await store.list(prefix: Self.prefix) {
            let data: ByteBuffer
            do {
                data = try await store.get(key: object.key, range: nil)
            } catch ChunkStoreError.objectNotFound {
                return nil  // released, or refreshed under a new key this listing may have missed
            }
            let info = try? LockInfo.decode(Data(buffer: data), key: object.key)
            locks.append(StoredLock(key: object.key, info: info, isStale: info.map { isStale($0, now: now) } ?? true))
        }
        return locks
    }

    /// Takes a lock of `kind` for `purpose` (shown to whoever finds the repository locked).
    ///
    /// Throws `ChunkStoreError.repositoryLocked(by:)` naming a live conflicting lock: for an exclusive lock any
    /// other live lock, for a shared lock a live exclusive one. Stale locks are ignored. The caller must
    /// `release()` the lock and keep it refreshed; `withLock` does both.
    public func acquire(_ kind: LockInfo.Kind, purpose: String) async throws -> RepositoryLock {
        if let holder = try await conflictingLock(for: kind, except: nil) {
            throw ChunkStoreError.repositoryLocked(by: holder)
        }
        let taken = ContinuousClock.now
        let now = Date()
        let info = LockInfo(
            kind: kind, hostname: LocalProcess.hostname, pid: LocalProcess.pid, created: now, refreshed: now, purpose: purpose,
            bootID: LocalProcess.bootID, pidNamespace: LocalProcess.pidNamespace)
        let key = Self.newKey()
        try await store.put(key: key, data: ByteBuffer(data: try info.encoded()))
        let lock = RepositoryLock(store: store, key: key, info: info, taken: taken, policy: policy, logger: logger)
        // A conflicting lock written between the first listing and our put: whoever sees the other backs off.
        let holder: LockInfo?
        do {
            holder = try await conflictingLock(for: kind, except: key)
        } catch {
            await lock.release()
            throw error
        }
        if let holder {
            await lock.release()
            throw ChunkStoreError.repositoryLocked(by: holder)
        }
        logger.debug("took repository lock", metadata: ["lifeboat.lock": "\(key)", "lifeboat.lock.kind": "\(kind.rawValue)"])
        return lock
    }

    /// Takes a lock, runs `body` while a child task refreshes it every `policy.refreshInterval`, then releases
    /// it whether `body` returns or throws (or the task is cancelled).
    public func withLock<Result>(
        _ kind: LockInfo.Kind, purpose: String, _ body: (RepositoryLock) async throws -> Result
    ) async throws -> Result {
        let lock = try await acquire(kind, purpose: purpose)
        let interval = policy.refreshInterval
        let outcome: Swift.Result<Result, any Error> = await withTaskGroup(of: Void.self) { group in
            group.addTask { await lock.keepRefreshed(every: interval) }
            let outcome: Swift.Result<Result, any Error>
            do {
                outcome = .success(try await body(lock))
            } catch {
                outcome = .failure(error)
            }
            group.cancelAll()
            return outcome
        }
        await lock.release()
        return try outcome.get()
    }

    /// Deletes every stale lock and returns what it deleted; live locks stay.
    @discardableResult
    public func removeStale() async throws -> [StoredLock] {
        let stale = try await list().filter(\.isStale)
        for lock in stale { try await store.delete(key: lock.key) }
        return stale
    }

    /// Deletes every lock, live or not, and returns what it deleted. Only safe when no Lifeboat process is
    /// using the repository: a prune running after this may delete data a running backup still writes.
    @discardableResult
    public func removeAll() async throws -> [StoredLock] {
        let all = try await list()
        for lock in all { try await store.delete(key: lock.key) }
        return all
    }

    /// Whether a lock no longer protects anything: unrefreshed too long, or its process is gone.
    ///
    /// The process test is used only for a lock taken in this very pid namespace of this boot of this host (same
    /// host name, boot id and pid-namespace inode): containers may share a host name while their pids are separate,
    /// so a lock from anywhere else, or one that does not record where it was taken, goes stale by time alone.
    func isStale(_ info: LockInfo, now: Date) -> Bool {
        let staleAfter = Double(policy.staleAfter.components.seconds) + Double(policy.staleAfter.components.attoseconds) / 1e18
        if now.timeIntervalSince(info.refreshed) > staleAfter { return true }
        guard info.hostname == LocalProcess.hostname, let bootID = info.bootID, let namespace = info.pidNamespace,
            bootID == LocalProcess.bootID, namespace == LocalProcess.pidNamespace
        else { return false }
        return !LocalProcess.exists(info.pid)
    }

    private func conflictingLock(for kind: LockInfo.Kind, except own: String?) async throws -> LockInfo? {
        try await list().first { lock in
            guard lock.key != own, !lock.isStale, let info = lock.info else { return false }
            return info.conflicts(with: kind)
        }?.info
    }

    static func newKey() -> String { prefix + Repository.randomHex(byteCount: 32) }
}
