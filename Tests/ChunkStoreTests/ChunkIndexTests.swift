import Foundation
import NIOCore
import Synchronization
import Testing

@testable import ChunkStore

/// Index files held in memory, counting reads, so tests can add and replace them as other writers and prune do.
final class MemoryIndexFiles: IndexFileSource {
    private let state = Mutex<(files: [String: [(PackID, [PackEntry])]], reads: Int)>(([:], 0))

    func add(_ name: String, _ packs: [(PackID, [PackEntry])]) { state.withLock { $0.files[name] = packs } }
    func remove(_ name: String) { state.withLock { $0.files[name] = nil } }
    func contents(_ name: String) -> [(PackID, [PackEntry])] { state.withLock { $0.files[name] ?? [] } }
    var names: [String] { state.withLock { $0.files.keys.sorted() } }
    var reads: Int { state.withLock { $0.reads } }

    func listIndexFiles() async throws -> [String] { names }

    func readIndexFile(_ key: String) async throws -> [(PackID, [PackEntry])] {
        try state.withLock { state in
            state.reads += 1
            guard let packs = state.files[key] else { throw ChunkStoreError.objectNotFound(key) }
            return packs
        }
    }
}

extension SeededGenerator {
    mutating func chunkID() -> ChunkID { ChunkID(bytes: (0..<32).map { _ in UInt8.random(in: 0...255, using: &self) }) }
    mutating func packID() -> PackID { PackID(digest: chunkID().digest) }

    mutating func entry(_ id: ChunkID) -> PackEntry {
        PackEntry(
            id: id, offset: UInt32.random(in: 0...(16 << 20), using: &self), length: UInt32.random(in: 1...(4 << 20), using: &self),
            rawLength: UInt32.random(in: 1...(4 << 20), using: &self))
    }

    /// An index file of `packs` packs with `perPack` fresh chunks each.
    mutating func indexFile(packs: Int, perPack: Int) -> [(PackID, [PackEntry])] {
        (0..<packs).map { _ in (packID(), (0..<perPack).map { _ in entry(chunkID()) }) }
    }
}

@Suite("Chunk index")
struct ChunkIndexTests {
    static func temporaryFolder() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("lifeboat-index-\(UUID().uuidString)").path
    }

    static func segmentFiles(in folder: String) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasSuffix(SegmentBuilder.fileExtension) }
            .map { folder + "/" + $0 }
    }

    /// What the index files say, first file (in name order) winning for a chunk named twice.
    static func expected(_ files: MemoryIndexFiles) -> [ChunkID: ChunkIndex.Location] {
        var result: [ChunkID: ChunkIndex.Location] = [:]
        for name in files.names {
            for (pack, entries) in files.contents(name) {
                for entry in entries where result[entry.id] == nil {
                    result[entry.id] = ChunkIndex.Location(
                        pack: pack, offset: entry.offset, length: entry.length, rawLength: entry.rawLength)
                }
            }
        }
        return result
    }

    /// Every expected chunk is located exactly (a damaged cache may throw first: then a repair must fix it) and
    /// no absent id is ever claimed.
    static func expectAnswers(
        _ index: inout ChunkIndex, _ expected: [ChunkID: ChunkIndex.Location], source: MemoryIndexFiles,
        absent: [ChunkID]
    ) async throws -> Bool {
        var repaired = false
        for (id, location) in expected {
            do {
                let found = try index.locate(id)
                #expect(found == location)
            } catch is IndexCacheError {
                let started = index.makeRepairJob()
                let job = try #require(started)
                index.finish(job, result: try await job.run(source: source))
                repaired = true
                let found = try index.locate(id)
                #expect(found == location)
            }
        }
        for id in absent {
            let claimed = index.contains(id)
            let located = try? index.locate(id)
            #expect(!claimed)
            #expect(located == nil)
        }
        return repaired
    }

    @Test(
        "random inserts, seals, failed uploads, index files and merges answer like a dictionary, before and after reopen",
        arguments: [false, true])
    func againstDictionary(onDisk: Bool) async throws {
        var generator = SeededGenerator(seed: onDisk ? 41 : 42)
        let folder = onDisk ? Self.temporaryFolder() : nil
        let files = MemoryIndexFiles()
        var index = ChunkIndex(folder: folder, mergeThreshold: 50)
        var reference: [ChunkID: ChunkIndex.Location] = [:]
        var everInserted: [ChunkID] = []
        var openPack: [PackEntry] = []
        var sealed: [(PackID, [PackEntry])] = []
        var merges = 0
        for _ in 0..<4000 {
            switch Int.random(in: 0..<100, using: &generator) {
            case 0..<50:
                let reuse = !everInserted.isEmpty && Int.random(in: 0..<5, using: &generator) == 0
                let id = reuse ? everInserted.randomElement(using: &generator)! : generator.chunkID()
                let known = index.contains(id)
                #expect(known == (reference[id] != nil))
                guard !known else { continue }
                let entry = generator.entry(id)
                index.insertIntoOpenPack(id, offset: entry.offset, length: entry.length, rawLength: entry.rawLength)
                reference[id] = ChunkIndex.Location(pack: nil, offset: entry.offset, length: entry.length, rawLength: entry.rawLength)
                openPack.append(entry)
                everInserted.append(id)
            case 50..<58:
                guard !openPack.isEmpty else { continue }
                let pack = generator.packID()
                let entries = openPack.map { generator.entry($0.id) }
                index.sealOpenPack(as: pack, entries: entries)
                for entry in entries {
                    reference[entry.id] = ChunkIndex.Location(
                        pack: pack, offset: entry.offset, length: entry.length, rawLength: entry.rawLength)
                }
                sealed.append((pack, entries))
                openPack = []
            case 58..<62:
                guard !sealed.isEmpty else { continue }
                let (pack, entries) = sealed.remove(at: Int.random(in: 0..<sealed.count, using: &generator))
                let removed = index.removeFailedPack(pack, entries: entries)
                #expect(removed == entries.reduce(Int64(0)) { $0 + Int64($1.length) })
                for entry in entries { reference[entry.id] = nil }
            case 62..<70:
                guard !sealed.isEmpty else { continue }
                let name = "index/" + generator.chunkID().hex
                files.add(name, sealed)
                index.markIndexed(sealed.map(\.0), by: name)
                sealed = []
                if index.wantsMerge, let job = index.makeMergeJob() {
                    index.finish(job, result: try await job.run(source: files))
                    merges += 1
                }
            default:
                for id in [everInserted.randomElement(using: &generator), generator.chunkID()].compactMap({ $0 }) {
                    let known = index.contains(id)
                    let found = try index.locate(id)
                    #expect(known == (reference[id] != nil))
                    #expect(found == reference[id])
                }
            }
        }
        #expect(merges >= 5)
        #expect(index.segmentCount >= 1 && index.segmentCount <= SegmentBuilder.maximumSegments)
        #expect(index.statistics.chunks == reference.count)
        #expect(index.statistics.storedBytes == reference.values.reduce(Int64(0)) { $0 + Int64($1.length) })
        for id in everInserted {
            let found = try index.locate(id)
            #expect(found == reference[id])
        }
        var visited: [ChunkID: ChunkIndex.Location] = [:]
        try index.forEachSealedEntry { id, location in visited[id] = location }
        #expect(visited == reference.filter { $0.value.pack != nil })

        // Reopen: what index files name comes back (the open pack and unindexed packs were never durable).
        let indexed = Set(files.names.flatMap { files.contents($0).flatMap { $0.1.map(\.id) } })
        let durable = reference.filter { indexed.contains($0.key) }
        // Threshold 0: index files no segment covers are folded into one at open (not kept in the delta).
        var reopened = try await ChunkIndex.open(source: files, folder: folder, mergeThreshold: 0)
        #expect(reopened.statistics.chunks == durable.count)
        _ = try await Self.expectAnswers(
            &reopened, durable, source: files, absent: everInserted.filter { durable[$0] == nil } + [generator.chunkID()])
        if let folder {
            let reads = files.reads
            _ = try await ChunkIndex.open(source: files, folder: folder, mergeThreshold: 0)
            #expect(files.reads == reads, "a complete cache is used without reading any index file")
            try FileManager.default.removeItem(atPath: folder)
        }
    }

    @Test("the cache is reused, catches up with another writer's index files, and is dropped when prune replaces one")
    func cacheFollowsIndexFiles() async throws {
        var generator = SeededGenerator(seed: 5)
        let folder = Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let files = MemoryIndexFiles()
        for position in 0..<5 { files.add("index/\(position)", generator.indexFile(packs: 4, perPack: 50)) }

        var index = try await ChunkIndex.open(source: files, folder: folder, mergeThreshold: 100)
        #expect(files.reads == 5)
        #expect(index.segmentCount == 1)
        #expect(try Self.segmentFiles(in: folder).count == 1)
        _ = try await Self.expectAnswers(&index, Self.expected(files), source: files, absent: [generator.chunkID()])

        index = try await ChunkIndex.open(source: files, folder: folder, mergeThreshold: 100)
        #expect(files.reads == 5, "nothing changed: no index file is read")
        #expect(index.statistics.chunks == 1000)

        // Another writer flushes: only its file is read.
        files.add("index/5", generator.indexFile(packs: 2, perPack: 100))
        index = try await ChunkIndex.open(source: files, folder: folder, mergeThreshold: 100)
        #expect(files.reads == 6)
        #expect(index.statistics.chunks == 1200)
        _ = try await Self.expectAnswers(&index, Self.expected(files), source: files, absent: [])

        // Prune rewrites index/2 without half of its packs (their chunks are gone) under a new name.
        let pruned = files.contents("index/2")
        let dropped = pruned[2...].flatMap { $0.1.map(\.id) }
        files.remove("index/2")
        files.add("index/7", Array(pruned[..<2]))
        let before = files.reads
        index = try await ChunkIndex.open(source: files, folder: folder, mergeThreshold: 100)
        #expect(files.reads - before == files.names.count, "a stale cache is rebuilt from every index file")
        #expect(index.statistics.chunks == 1100)
        _ = try await Self.expectAnswers(&index, Self.expected(files), source: files, absent: dropped)
        for path in try Self.segmentFiles(in: folder) {
            let segment = try IndexSegment(mapping: path)
            #expect(!segment.coveredIndexFiles.contains("index/2"))
        }
    }

    @Test("a damaged or truncated cache file is rebuilt and never gives a wrong answer", arguments: 0..<9)
    func damagedCache(damage: Int) async throws {
        var generator = SeededGenerator(seed: 77 + UInt64(damage))
        let folder = Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let files = MemoryIndexFiles()
        for position in 0..<3 { files.add("index/\(position)", generator.indexFile(packs: 10, perPack: 100)) }
        _ = try await ChunkIndex.open(source: files, folder: folder, mergeThreshold: 0)
        let path = try #require(try Self.segmentFiles(in: folder).first)
        var bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
        let layout = try #require(bytes.withUnsafeBytes { SegmentLayout(trailerOf: $0) })
        // Damage lands in: a record's id, a record's location, the directory, a bucket checksum, the filter,
        // the pack table, the names, the trailer; or the file is cut short.
        let offsets = [
            layout.recordCount / 2 * IndexRecord.size + 5, layout.recordCount / 3 * IndexRecord.size + 36,
            layout.directoryOffset + 16, layout.checksumsOffset + 8, layout.filterOffset + 100, layout.packsOffset + 40,
            layout.namesOffset + 6, layout.trailerOffset + 20,
        ]
        if damage < offsets.count {
            bytes[offsets[damage]] ^= 0x10
        } else {
            bytes.removeLast(bytes.count / 3)
        }
        try Data(bytes).write(to: URL(fileURLWithPath: path))

        let absent = (0..<200).map { _ in generator.chunkID() }
        var index = try await ChunkIndex.open(source: files, folder: folder, mergeThreshold: 0)
        let rebuiltAtOpen = files.reads > 3
        let repaired = try await Self.expectAnswers(&index, Self.expected(files), source: files, absent: absent)
        #expect(rebuiltAtOpen != repaired, "damage is found either at open (structure) or at first lookup (records)")
        #expect(rebuiltAtOpen == (damage >= 2))
    }

    @Test("a repository with an on-disk index cache reuses it, survives a damaged one, and notices a replaced index file")
    func repositoryCache() async throws {
        let cache = Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: cache) }
        let small = ChunkingParameters(minimumSize: 16 << 10, averageSize: 64 << 10, maximumSize: 256 << 10)
        let store = try TemporaryStore.make()
        let repository = try await Repository.initialize(
            store: store, password: RepositoryTests.password, parameters: .insecureFastForTesting, chunking: small,
            indexCache: .directory(cache))
        await repository.setPackTargetSize(256 << 10)
        await repository.setIndexMergeThreshold(0)
        var generator = SeededGenerator(seed: 12)
        var stored: [(ByteBuffer, ContentManifest)] = []
        for size in [3 << 20, 1 << 20, 5000] {
            let data = generator.bytes(size)
            stored.append((data, try await RepositoryTests.store(data, in: repository, generator: &generator).manifest))
            try await repository.flush()
        }
        let folder = cache + "/" + repository.repositoryID
        #expect(try !Self.segmentFiles(in: folder).isEmpty, "flushes folded the chunks into cache segments")
        let statistics = await repository.statistics

        func reopenAndRead() async throws {
            let reopened = try await Repository.open(
                store: store, password: RepositoryTests.password, indexCache: .directory(cache))
            #expect(await reopened.statistics == statistics)
            for (data, manifest) in stored { #expect(try await collect(reopened.read(manifest)) == data) }
        }
        try await reopenAndRead()

        // Damage every segment's records: reads still return the right bytes (the cache is rebuilt).
        for path in try Self.segmentFiles(in: folder) {
            let recordBytes = try IndexSegment(mapping: path).recordCount * IndexRecord.size
            let handle = try #require(FileHandle(forUpdatingAtPath: path))
            for offset in stride(from: UInt64(3), to: UInt64(recordBytes), by: 97) {
                try handle.seek(toOffset: offset)
                try handle.write(contentsOf: Data([0xFF]))
            }
            try handle.close()
        }
        try await reopenAndRead()

        // A prune-like rewrite: the same entries under a new index file name, the old one deleted.
        let sealer = try await RepositoryCheck.unlock(store: store, password: RepositoryTests.password).sealer
        let old = try #require(try await store.list(prefix: IndexFile.prefix).first).key
        let packs = try IndexFile.decode(try await store.get(key: old, range: nil), key: old, sealer: sealer)
        try await store.put(key: IndexFile.prefix + String(repeating: "0", count: 64), data: try IndexFile.encode(packs, sealer: sealer))
        try await store.delete(key: old)
        try await reopenAndRead()
        for path in try Self.segmentFiles(in: folder) {
            #expect(try !IndexSegment(mapping: path).coveredIndexFiles.contains(old))
        }
    }
}
