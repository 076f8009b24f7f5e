import Foundation
import NIOCore
import NIOFoundationCompat
import ProcessIdentity
import Synchronization
import Testing

@testable import ChunkStore

@Suite("Repository locks")
struct LockTests {
    static func writeLock(_ info: LockInfo, to store: any ObjectStore) async throws -> String {
        let key = RepositoryLocks.newKey()
        try await store.put(key: key, data: ByteBuffer(data: try info.encoded()))
        return key
    }

    static func foreignLock(_ kind: LockInfo.Kind, refreshed: Date = Date(), host: String = "another-host") -> LockInfo {
        LockInfo(kind: kind, hostname: host, pid: 4242, created: refreshed, refreshed: refreshed, purpose: "test holder")
    }

    @Test("shared locks coexist; an exclusive lock is refused while one is held, naming its holder")
    func exclusiveBlockedByShared() async throws {
        let locks = RepositoryLocks(store: try TemporaryStore.make())
        let first = try await locks.acquire(.shared, purpose: "backup run A")
        let second = try await locks.acquire(.shared, purpose: "backup run B")
        await #expect {
            _ = try await locks.acquire(.exclusive, purpose: "prune")
        } throws: { error in
            guard case ChunkStoreError.repositoryLocked(let holder) = error else { return false }
            return holder.kind == .shared && holder.pid == getpid() && holder.hostname == LocalProcess.hostname
                && holder.purpose.hasPrefix("backup run")
        }
        #expect(try await locks.list().count == 2, "the refused exclusive lock left no object behind")
        await first.release()
        await second.release()
        let exclusive = try await locks.acquire(.exclusive, purpose: "prune")
        await exclusive.release()
        #expect(try await locks.list().isEmpty)
    }

    @Test("a shared lock is refused while an exclusive lock is held, and the error says who holds it")
    func sharedBlockedByExclusive() async throws {
        let store = try TemporaryStore.make()
        let locks = RepositoryLocks(store: store)
        _ = try await Self.writeLock(Self.foreignLock(.exclusive), to: store)
        await #expect {
            _ = try await locks.acquire(.shared, purpose: "backup run")
        } throws: { error in
            guard case ChunkStoreError.repositoryLocked(let holder) = error else { return false }
            return holder.kind == .exclusive && holder.hostname == "another-host"
                && "\(error)".contains("another-host") && "\(error)".contains("lifeboat repo unlock")
        }
        #expect(try await locks.list().count == 1)
    }

    @Test("a conflicting lock written between the first listing and our write makes the taker back off")
    func raceIsDetectedAfterWriting() async throws {
        let base = try TemporaryStore.make()
        let store = InterleavingStore(base: base, interloper: Self.foreignLock(.exclusive))
        let locks = RepositoryLocks(store: store)
        await #expect(throws: ChunkStoreError.self) { _ = try await locks.acquire(.shared, purpose: "backup run") }
        let remaining = try await RepositoryLocks(store: base).list()
        #expect(remaining.count == 1)
        #expect(remaining.first?.info?.hostname == "another-host", "only the interloper's lock is left")
    }

    @Test("locks unrefreshed for 30 minutes, of a dead process on this host, or unreadable are stale, block nobody and are removed")
    func staleLocks() async throws {
        let store = try TemporaryStore.make()
        let locks = RepositoryLocks(store: store)
        let old = try await Self.writeLock(Self.foreignLock(.exclusive, refreshed: Date(timeIntervalSinceNow: -31 * 60)), to: store)
        let deadPID = try await Self.pidOfExitedProcess()
        var dead = Self.foreignLock(.exclusive, host: LocalProcess.hostname)
        dead.pid = deadPID
        dead.bootID = LocalProcess.bootID
        dead.pidNamespace = LocalProcess.pidNamespace
        let orphan = try await Self.writeLock(dead, to: store)
        let garbage = RepositoryLocks.newKey()
        try await store.put(key: garbage, data: ByteBuffer(string: "not a lock"))
        let live = try await Self.writeLock(Self.foreignLock(.shared, refreshed: Date(timeIntervalSinceNow: -29 * 60)), to: store)

        let listed = try await locks.list()
        #expect(Set(listed.filter(\.isStale).map(\.key)) == [old, orphan, garbage])
        #expect(listed.first { $0.key == live }?.isStale == false)

        let shared = try await locks.acquire(.shared, purpose: "backup run")
        await shared.release()
        await #expect(throws: ChunkStoreError.self, "the live shared lock still blocks an exclusive one") {
            _ = try await locks.acquire(.exclusive, purpose: "prune")
        }

        let removed = try await locks.removeStale()
        #expect(Set(removed.map(\.key)) == [old, orphan, garbage])
        #expect(try await locks.list().map(\.key) == [live])
        let all = try await locks.removeAll()
        #expect(all.map(\.key) == [live])
        #expect(try await store.list(prefix: RepositoryLocks.prefix).isEmpty)
    }

    @Test("a refresh replaces the lock object with a later time; a lock removed by someone else is reported lost")
    func refreshAndLoss() async throws {
        let store = try TemporaryStore.make()
        let locks = RepositoryLocks(store: store)
        let lock = try await locks.acquire(.exclusive, purpose: "prune")
        let firstKey = await lock.key
        let first = try #require(try await locks.list().first?.info)
        try await Task.sleep(for: .milliseconds(1100))  // ISO 8601 times have whole seconds
        try await lock.refresh()
        let listed = try await locks.list()
        #expect(listed.count == 1)
        #expect(listed.first?.key != firstKey)
        #expect((listed.first?.info?.refreshed ?? .distantPast) > first.refreshed)
        #expect(listed.first?.info?.created == first.created)
        try await lock.confirm()

        try await locks.removeAll()
        await #expect(throws: ChunkStoreError.lockLost(key: await lock.key)) { try await lock.confirm() }
        await #expect(throws: ChunkStoreError.self) { try await lock.refresh() }
        #expect(try await locks.list().isEmpty, "a lost lock is not recreated")
    }

    @Test("withLock releases the lock when its body throws, and its refresh task ends with it")
    func withLockReleasesOnFailure() async throws {
        struct Failure: Error {}
        let store = try TemporaryStore.make()
        let locks = RepositoryLocks(store: store, policy: LockPolicy(refreshInterval: .milliseconds(10), staleAfter: .seconds(60)))
        await #expect(throws: Failure.self) {
            try await locks.withLock(.shared, purpose: "backup run") { lock in
                // Let the refresh task run a few times while held.
                for _ in 0..<5 {
                    try await Task.sleep(for: .milliseconds(20))
                    try await lock.confirm()
                }
                throw Failure()
            }
        }
        #expect(try await locks.list().isEmpty)
        let value = try await locks.withLock(.exclusive, purpose: "prune") { _ in 42 }
        #expect(value == 42)
        #expect(try await locks.list().isEmpty)
    }

    @Test("prune does not start while a backup holds a shared lock")
    func pruneWaitsForBackups() async throws {
        let scenario = try await PruneScenario.make(seed: 9, sizes: [40 << 10], flushAfter: [])
        let backup = try await RepositoryLocks(store: scenario.store).acquire(.shared, purpose: "backup run")
        let before = try await scenario.listing()
        await #expect {
            _ = try await scenario.prune(keeping: [], options: PruneOptions())
        } throws: { error in
            guard case ChunkStoreError.repositoryLocked(let holder) = error else { return false }
            return holder.kind == .shared
        }
        #expect(try await scenario.listing() == before)
        await backup.release()
    }

    /// The id of a child process that has exited and been reaped (polled, never waited on with a blocking call).
    static func pidOfExitedProcess() async throws -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/true")
        try process.run()
        let pid = process.processIdentifier
        while process.isRunning { try await Task.sleep(for: .milliseconds(10)) }
        return pid
    }
}

/// A store that, on the first lock write, first writes another process's lock: the race `acquire` must detect.
final class InterleavingStore: ObjectStore {
    let base: any ObjectStore
    let interloper: LockInfo
    private let done = Mutex(false)

    init(base: any ObjectStore, interloper: LockInfo) {
        self.base = base
        self.interloper = interloper
    }

    func put(key: String, data: ByteBuffer) async throws {
        let first = key.hasPrefix(RepositoryLocks.prefix) && done.withLock { done in
            defer { done = true }
            return !done
        }
        if first { _ = try await LockTests.writeLock(interloper, to: base) }
        try await base.put(key: key, data: data)
    }

    func get(key: String, range: Range<Int64>?) async throws -> ByteBuffer { try await base.get(key: key, range: range) }
    func head(key: String) async throws -> ObjectInfo? { try await base.head(key: key) }
    func list(prefix: String) async throws -> [ObjectInfo] { try await base.list(prefix: prefix) }
    func delete(key: String) async throws { try await base.delete(key: key) }
}
