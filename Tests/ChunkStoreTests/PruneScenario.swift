import Foundation
import NIOCore
import Testing

@testable import ChunkStore

/// A small repository for prune tests: tiny chunks and packs, so a few hundred KiB exercise every case.
struct PruneScenario {
    static let password = "prune scenario password"
    static let chunking = ChunkingParameters(minimumSize: 2 << 10, averageSize: 8 << 10, maximumSize: 32 << 10)
    static let packTargetSize = 64 << 10

    let store: LocalDirectoryStore
    var contents: [(data: ByteBuffer, manifest: ContentManifest)] = []

    /// Stores seeded random contents of `sizes`; a size in `flushAfter` ends a flush (its last pack is sealed and
    /// indexed), so contents in one flush share packs at their boundaries.
    static func make(seed: UInt64, sizes: [Int], flushAfter: Set<Int>) async throws -> PruneScenario {
        var scenario = PruneScenario(store: try TemporaryStore.make())
        let repository = try await Repository.initialize(
            store: scenario.store, password: password, parameters: .insecureFastForTesting, chunking: chunking)
        await repository.setPackTargetSize(packTargetSize)
        var generator = SeededGenerator(seed: seed)
        for (index, size) in sizes.enumerated() {
            let data = generator.bytes(size)
            let stored = try await repository.store(BufferSequence(generator.split(data, maxPiece: 16 << 10)))
            scenario.contents.append((data, stored.manifest))
            if flushAfter.contains(index) { try await repository.flush() }
        }
        try await repository.flush()
        return scenario
    }

    /// Stores one more content through a store that refuses index files: its packs land, no index names them
    /// (what a writer killed between pack upload and index write leaves).
    mutating func addUnindexedContent(seed: UInt64, size: Int) async throws {
        let crashing = CrashingStore(base: store, mutationsBeforeCrash: 0, prefix: IndexFile.prefix)
        let repository = try await Repository.open(store: crashing, password: Self.password)
        await repository.setPackTargetSize(Self.packTargetSize)
        var generator = SeededGenerator(seed: seed)
        let data = generator.bytes(size)
        let stored = try await repository.store(BufferSequence([data]))
        await #expect(throws: CrashingStore.Crash.self) { try await repository.flush() }
        contents.append((data, stored.manifest))
    }

    func chunks(of indexes: [Int]) -> Set<ChunkID> {
        Set(indexes.flatMap { contents[$0].manifest.chunks })
    }

    func prune(keeping indexes: [Int], options: PruneOptions, store: (any ObjectStore)? = nil) async throws -> PruneReport {
        let prune = try await RepositoryPrune.unlock(store: store ?? self.store, password: Self.password)
        return try await prune.run(options) { chunks(of: indexes) }
    }

    /// Every object key and size in the store.
    func listing() async throws -> [ObjectInfo] {
        try await store.list(prefix: "")
    }

    /// Total bytes of pack objects.
    func packBytes() async throws -> Int64 {
        try await store.list(prefix: "packs/").reduce(0) { $0 + $1.size }
    }

    /// Opens the repository afresh and reads the contents at `indexes` back; returns the open repository.
    @discardableResult
    func expectReadable(_ indexes: [Int]) async throws -> Repository {
        let repository = try await Repository.open(store: store, password: Self.password)
        for index in indexes {
            let read = try await collect(repository.read(contents[index].manifest))
            guard read == contents[index].data else { throw ScenarioMismatch(content: index) }
        }
        return repository
    }

    func check() async throws -> CheckReport {
        try await RepositoryCheck.unlock(store: store, password: Self.password).run(readData: true)
    }

    /// For every pack in the store: its size, the bytes of its chunks in `referenced` and its number of chunks (from
    /// the index files).
    func packUsage(referenced: Set<ChunkID>) async throws -> [PackID: (size: Int64, live: Int64, chunks: Int)] {
        let sealer = try await RepositoryCheck.unlock(store: store, password: Self.password).sealer
        var usage: [PackID: (size: Int64, live: Int64, chunks: Int)] = [:]
        for object in try await store.list(prefix: "packs/") {
            usage[PackID(objectKey: object.key)!] = (object.size, 0, 0)
        }
        var counted = Set<ChunkID>()
        for file in try await store.list(prefix: IndexFile.prefix) {
            let packs = try IndexFile.decode(try await store.get(key: file.key, range: nil), key: file.key, sealer: sealer)
            for (pack, entries) in packs {
                usage[pack]?.chunks = entries.count
                for entry in entries where referenced.contains(entry.id) && !counted.contains(entry.id) {
                    counted.insert(entry.id)
                    usage[pack]?.live += Int64(entry.length)
                }
            }
        }
        return usage
    }

    struct ScenarioMismatch: Error {
        var content: Int
    }
}
