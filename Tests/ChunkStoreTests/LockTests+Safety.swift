import Foundation
import NIOCore
import NIOFoundationCompat
import ProcessIdentity
import Synchronization
import Testing

@testable import ChunkStore

extension LockTests {
    @Test("a lock refreshed while it is being listed is still found: the listing is repeated until stable")
    func listingSurvivesRefresh() async throws {
        let base = try TemporaryStore.make()
        let held = try await Self.writeLock(Self.foreignLock(.shared), to: base)
        let store = RefreshDuringListingStore(base: base)
        let listed = try await RepositoryLocks(store: store).list()
        #expect(listed.count == 1)
        #expect(listed.first?.key != held, "the refreshed object, not the one that vanished")
        #expect(listed.first?.info?.kind == .shared)
        #expect(listed.first?.isStale == false)
        await #expect(throws: ChunkStoreError.self, "a prune sees the backup's lock") {
            _ = try await RepositoryLocks(store: RefreshDuringListingStore(base: base)).acquire(.exclusive, purpose: "prune")
        }
    }

    @Test("a dead pid means a stale lock only when host name, boot id and pid namespace all match this process")
    func pidTestNeedsSameBootAndNamespace() async throws {
        let bootID = try #require(LocalProcess.bootID)
        let namespace = try #require(LocalProcess.pidNamespace)
        let deadPID = try await Self.pidOfExitedProcess()
        let locks = RepositoryLocks(store: try TemporaryStore.make())
        func lock(bootID: String?, namespace: UInt64?) -> LockInfo {
            var info = Self.foreignLock(.shared, host: LocalProcess.hostname)
            info.pid = deadPID
            info.bootID = bootID
            info.pidNamespace = namespace
            return info
        }
        #expect(locks.isStale(lock(bootID: bootID, namespace: namespace), now: Date()))
        #expect(!locks.isStale(lock(bootID: "another boot", namespace: namespace), now: Date()))
        #expect(!locks.isStale(lock(bootID: bootID, namespace: namespace &+ 1), now: Date()), "another container")
        #expect(!locks.isStale(lock(bootID: nil, namespace: nil), now: Date()), "an old lock: time rule only")
        let old = Date(timeIntervalSinceNow: -31 * 60)
        var expired = lock(bootID: nil, namespace: nil)
        expired.refreshed = old
        #expect(locks.isStale(expired, now: Date()))
    }

    @Test("a lock this process takes records its boot id and pid namespace")
    func lockRecordsBootAndNamespace() async throws {
        let store = try TemporaryStore.make()
        let locks = RepositoryLocks(store: store)
        let lock = try await locks.acquire(.shared, purpose: "backup run")
        let info = try #require(try await locks.list().first?.info)
        #expect(info.bootID == LocalProcess.bootID && info.bootID != nil)
        #expect(info.pidNamespace == LocalProcess.pidNamespace && info.pidNamespace != nil)
        await lock.release()
    }

    @Test("a lock not refreshed within the stale age less one and a half refresh intervals fails confirm, and stays lost")
    func unrefreshedLockIsLost() async throws {
        let store = try TemporaryStore.make()
        // Stale after 60 s with a refresh due every hour: the lock can never be refreshed in time, so it never holds.
        let locks = RepositoryLocks(store: store, policy: LockPolicy(refreshInterval: .seconds(3600), staleAfter: .seconds(60)))
        let lock = try await locks.acquire(.shared, purpose: "backup run")
        await #expect(throws: ChunkStoreError.lockLost(key: await lock.key)) { try await lock.confirm() }
        #expect(await lock.isLost)
        #expect(try await locks.list().count == 1, "the object still exists; only its holder knows it is unsafe")
        await lock.release()

        let healthy = try await RepositoryLocks(store: store).acquire(.shared, purpose: "backup run")
        try await healthy.confirm()
        await healthy.release()
    }
}

/// A store whose first listing of `locks/` returns the objects as they were, then refreshes every lock (writes a
/// copy under a new key, deletes the old one) before the lister can read them: the race `RepositoryLocks.list` must survive.
final class RefreshDuringListingStore: ObjectStore {
    let base: any ObjectStore
    private let listed = Mutex(false)

    init(base: any ObjectStore) {
        self.base = base
    }

    func list(prefix: String) async throws -> [ObjectInfo] {
        let objects = try await base.list(prefix: prefix)
        let first = prefix == RepositoryLocks.prefix && listed.withLock { listed in
            defer { listed = true }
            return !listed
        }
        if first {
            for object in objects {
                let data = try await base.get(key: object.key, range: nil)
                try await base.put(key: RepositoryLocks.newKey(), data: data)
                try await base.delete(key: object.key)
            }
        }
        return objects
    }

    func put(key: String, data: ByteBuffer) async throws { try await base.put(key: key, data: data) }
    func get(key: String, range: Range<Int64>?) async throws -> ByteBuffer { try await base.get(key: key, range: range) }
    func head(key: String) async throws -> ObjectInfo? { try await base.head(key: key) }
    func delete(key: String) async throws { try await base.delete(key: key) }
}
