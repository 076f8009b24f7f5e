import Foundation
import NIOCore
import Synchronization
import Testing

@testable import ChunkStore

@Suite("Repository check")
struct RepositoryCheckTests {
    static let password = RepositoryTests.password

    /// A flushed repository with small chunks and packs, written in two sessions (two index files).
    struct Fixture {
        let store: LocalDirectoryStore
        let repository: Repository
        let manifests: [ContentManifest]

        static let chunking = ChunkingParameters(minimumSize: 16 << 10, averageSize: 64 << 10, maximumSize: 256 << 10)

        static func make(seed: UInt64) async throws -> Fixture {
            let store = try TemporaryStore.make()
            let repository = try await Repository.initialize(
                store: store, password: RepositoryCheckTests.password, parameters: .insecureFastForTesting, chunking: chunking)
            await repository.setPackTargetSize(256 << 10)
            var generator = SeededGenerator(seed: seed)
            var manifests: [ContentManifest] = []
            for (position, size) in [0, 1, 10_000, 300 << 10, 1 << 20, (2 << 20) + 17].enumerated() {
                let content = position == 3 ? RepositoryTests.text(size) : generator.bytes(size)
                manifests.append(try await RepositoryTests.store(content, in: repository, generator: &generator).manifest)
                if position == 3 { try await repository.flush() }
            }
            try await repository.flush()
            return Fixture(store: store, repository: repository, manifests: manifests)
        }

        func path(_ key: String) -> String { store.root + "/" + key }

        func packs() async throws -> [ObjectInfo] { try await store.list(prefix: "packs/") }

        /// A pack's own table, read with the repository's keys.
        func table(_ key: String) async throws -> [PackEntry] {
            let check = try await RepositoryCheck.unlock(store: store, password: RepositoryCheckTests.password)
            return try await PackTable.read(key: key, store: store, sealer: check.sealer)
        }

        func flipByte(in key: String, at offset: UInt64) throws {
            let handle = try #require(FileHandle(forUpdatingAtPath: path(key)))
            defer { try? handle.close() }
            try handle.seek(toOffset: offset)
            let original = try #require(try handle.read(upToCount: 1))
            try handle.seek(toOffset: offset)
            try handle.write(contentsOf: Data([original[0] ^ 0x20]))
        }
    }

    @Test("a healthy repository checks healthy with the index's counts, with and without reading data")
    func healthy() async throws {
        let fixture = try await Fixture.make(seed: 1)
        let statistics = await fixture.repository.statistics
        let packs = try await fixture.packs()
        #expect(statistics.packs >= 10)

        let structural = try await fixture.repository.check(readData: false)
        #expect(structural.isHealthy, "\(structural.problems)")
        #expect(structural.packs == statistics.packs)
        #expect(structural.chunks == statistics.chunks)
        #expect(structural.packBytes == packs.reduce(0) { $0 + $1.size })
        #expect(structural.keyFiles == 1 && structural.indexFiles == 2)
        #expect(structural.chunksRead == 0 && structural.bytesRead == 0)
        #expect(structural.unreferencedPacks.isEmpty && structural.damagedChunks.isEmpty)

        let seen = Mutex<[CheckProgress]>([])
        let full = try await RepositoryCheck.unlock(store: fixture.store, password: Self.password)
            .run(readData: true, concurrency: 3) { progress in seen.withLock { $0.append(progress) } }
        #expect(full.isHealthy, "\(full.problems)")
        #expect(full.chunks == statistics.chunks && full.chunksRead == statistics.chunks)
        #expect(full.bytesRead == structural.packBytes)
        let reports = seen.withLock { $0 }
        #expect(reports.count == statistics.packs)
        #expect(reports.last == CheckProgress(
            packsChecked: statistics.packs, packsTotal: statistics.packs, bytesRead: full.bytesRead, bytesTotal: full.packBytes))
    }

    @Test("a flipped byte inside a chunk passes the structural check; reading data names exactly that chunk and pack")
    func flippedByte() async throws {
        let fixture = try await Fixture.make(seed: 2)
        let pack = try #require(try await fixture.packs().dropFirst(3).first)
        let entries = try await fixture.table(pack.key)
        let victim = entries[entries.count / 2]
        try fixture.flipByte(in: pack.key, at: UInt64(victim.offset) + UInt64(victim.length / 2))

        let structural = try await fixture.repository.check(readData: false)
        #expect(structural.isHealthy)

        let report = try await fixture.repository.check(readData: true)
        #expect(!report.isHealthy)
        #expect(report.problems == [.damagedChunk(pack: pack.key, chunk: victim.id, reason: "authentication failed")])
        #expect(report.damagedChunks == [victim.id])
        #expect(report.chunksRead == report.chunks)
        let affected = fixture.manifests.filter(report.affects)
        #expect(affected.count == 1 && affected[0].chunks.contains(victim.id))
    }

    @Test("a truncated pack is a structural error; the chunks cut off are damaged, the rest still verify")
    func truncatedPack() async throws {
        let fixture = try await Fixture.make(seed: 3)
        let pack = try #require(try await fixture.packs().first)
        let entries = try await fixture.table(pack.key)
        let newSize = Int64(pack.size / 2)
        #expect(truncate(fixture.path(pack.key), off_t(newSize)) == 0)
        let cut = Set(entries.filter { Int64($0.offset) + Int64($0.length) > newSize }.map(\.id))
        #expect(!cut.isEmpty && cut.count < entries.count)

        for readData in [false, true] {
            let report = try await fixture.repository.check(readData: readData)
            #expect(!report.isHealthy)
            guard case .unreadablePack(let key, _) = report.problems.first else {
                Issue.record("expected an unreadable pack first, got \(report.problems)")
                continue
            }
            #expect(key == pack.key)
            #expect(report.problems.count == 1 + cut.count, "\(report.problems)")
            #expect(report.damagedChunks == cut)
            #expect(Set(report.problems.compactMap(\.chunk)) == cut)
        }
    }

    @Test("a deleted pack that the index references is reported missing with all of its chunks damaged")
    func missingPack() async throws {
        let fixture = try await Fixture.make(seed: 4)
        let pack = try #require(try await fixture.packs().last)
        let entries = try await fixture.table(pack.key)
        try await fixture.store.delete(key: pack.key)

        let report = try await fixture.repository.check(readData: true)
        #expect(report.problems == [.missingPack(pack: pack.key, chunks: entries.count)])
        #expect(report.damagedChunks == Set(entries.map(\.id)))
        #expect(report.packs == (await fixture.repository.statistics.packs) - 1)
        #expect(fixture.manifests.contains(where: report.affects))
    }

    @Test("packs written by a writer that died before its index are unreferenced, and the repository stays healthy")
    func unreferencedPacks() async throws {
        let fixture = try await Fixture.make(seed: 5)
        let before = Set(try await fixture.packs().map(\.key))
        // A second writer seals and uploads packs as it stores, then "crashes": it never flushes.
        let writer = try await Repository.open(store: fixture.store, password: Self.password)
        await writer.setPackTargetSize(256 << 10)
        var generator = SeededGenerator(seed: 55)
        _ = try await RepositoryTests.store(generator.bytes(1 << 20), in: writer, generator: &generator)
        let orphans = try await fixture.packs().filter { !before.contains($0.key) }
        #expect(orphans.count >= 2)

        let report = try await fixture.repository.check(readData: true)
        #expect(report.isHealthy, "\(report.problems)")
        #expect(report.unreferencedPacks == orphans.map(\.key))
        #expect(report.unreferencedBytes == orphans.reduce(0) { $0 + $1.size })
        #expect(report.bytesRead == report.packBytes)
        #expect(report.chunksRead > report.chunks)
    }

    @Test("a corrupt index file is reported; its packs show as unreferenced and check still runs where open cannot")
    func corruptIndexFile() async throws {
        let fixture = try await Fixture.make(seed: 6)
        let indexFiles = try await fixture.store.list(prefix: IndexFile.prefix)
        #expect(indexFiles.count == 2)
        let victim = indexFiles[0]
        try fixture.flipByte(in: victim.key, at: UInt64(victim.size / 2))
        await #expect(throws: ChunkStoreError.self) {
            try await Repository.open(store: fixture.store, password: Self.password)
        }

        let check = try await RepositoryCheck.unlock(store: fixture.store, password: Self.password)
        let report = try await check.run(readData: false)
        #expect(report.problems == [.unreadableIndexFile(key: victim.key, reason: "index file does not authenticate")])
        let lost = try IndexFile.decode(
            try await fixture.store.get(key: indexFiles[1].key, range: nil), key: indexFiles[1].key, sealer: check.sealer)
        #expect(report.packs - report.unreferencedPacks.count == lost.count)
        #expect(!report.unreferencedPacks.isEmpty)
    }

    @Test("an index entry that disagrees with its pack's table is reported and its chunk counted damaged")
    func indexDisagreesWithPack() async throws {
        let fixture = try await Fixture.make(seed: 7)
        let check = try await RepositoryCheck.unlock(store: fixture.store, password: Self.password)
        let pack = try #require(try await fixture.packs().first)
        let packID = try #require(PackID(objectKey: pack.key))
        var entries = try await fixture.table(pack.key)
        let moved = entries[0].id
        entries[0].offset += 1
        // Sorts before the real index files, so readers would use this entry.
        try await fixture.store.put(
            key: IndexFile.prefix + String(repeating: "0", count: 64),
            data: try IndexFile.encode([(packID, entries)], sealer: check.sealer))

        let report = try await check.run(readData: true)
        #expect(report.damagedChunks == [moved])
        #expect(report.problems.contains { $0.chunk == moved && $0.pack == pack.key })
        #expect(report.problems.allSatisfy {
            if case .indexDisagreesWithPack = $0 { return true } else { return false }
        }, "\(report.problems)")
    }

    @Test("a wrong password is a clear error; a store without a repository is not mistaken for one")
    func wrongPassword() async throws {
        let fixture = try await Fixture.make(seed: 8)
        await #expect(throws: ChunkStoreError.wrongPassword) {
            try await RepositoryCheck.unlock(store: fixture.store, password: "not the password")
        }
        await #expect(throws: ChunkStoreError.repositoryNotFound) {
            try await RepositoryCheck.unlock(store: try TemporaryStore.make(), password: Self.password)
        }
    }

    @Test("changing the password replaces the old key; the last key cannot be removed; info lists keys without secrets")
    func passwords() async throws {
        let fixture = try await Fixture.make(seed: 9)
        let old = try #require(try await fixture.repository.info().keys.first)
        #expect(old.isCurrent && old.parameters == .insecureFastForTesting)
        let added = try await fixture.repository.changePassword(to: "new password", parameters: .insecureFastForTesting)
        await #expect(throws: ChunkStoreError.wrongPassword) {
            try await Repository.open(store: fixture.store, password: Self.password)
        }
        let reopened = try await Repository.open(store: fixture.store, password: "new password")
        let info = try await reopened.info()
        #expect(info.keys.map(\.key) == [added] && info.keys[0].isCurrent)
        #expect(info.statistics == (await fixture.repository.statistics))
        #expect(info.indexFiles == 2 && info.plaintextBytes > 0)
        await #expect(throws: ChunkStoreError.lastKey(added)) { try await reopened.removeKey(added) }
    }
}
