import Foundation
import NIOCore
import Testing

@testable import ChunkStore

@Suite("Repository")
struct RepositoryTests {
    static let password = "correct horse battery staple"

    static func makeRepository(
        chunking: ChunkingParameters = .default
    ) async throws -> (LocalDirectoryStore, Repository) {
        let store = try TemporaryStore.make()
        let repository = try await Repository.initialize(
            store: store, password: password, parameters: .insecureFastForTesting, chunking: chunking)
        return (store, repository)
    }

    static func store(
        _ data: ByteBuffer, in repository: Repository, generator: inout SeededGenerator, maxPiece: Int = 256 << 10
    ) async throws -> StoredContent {
        try await repository.store(BufferSequence(generator.split(data, maxPiece: maxPiece)))
    }

    static func text(_ size: Int) -> ByteBuffer {
        var buffer = ByteBufferAllocator().buffer(capacity: size)
        var line = 0
        while buffer.readableBytes < size {
            buffer.writeString("line \(line): the quick brown fox jumps over the lazy dog, lorem ipsum dolor sit amet.\n")
            line += 1
        }
        return buffer.getSlice(at: 0, length: size)!
    }

    @Test("seeded random contents of 0 B to 20 MiB, split at random points, read back byte for byte before and after reopen")
    func roundTrip() async throws {
        let (store, repository) = try await Self.makeRepository()
        await repository.setPackTargetSize(4 << 20)
        var generator = SeededGenerator(seed: 2024)
        var sizes = [0, 1, 4095, 256 << 10, (256 << 10) + 1, (4 << 20) + 3, 20 << 20]
        for _ in 0..<4 { sizes.append(Int.random(in: 0...(6 << 20), using: &generator)) }
        var stored: [(ByteBuffer, ContentManifest)] = []
        for size in sizes {
            let data = generator.bytes(size)
            let maxPiece = Int.random(in: 1...(512 << 10), using: &generator)
            let result = try await Self.store(data, in: repository, generator: &generator, maxPiece: maxPiece)
            #expect(result.manifest.size == Int64(size))
            #expect(try await collect(repository.read(result.manifest)) == data, "size \(size), before flush")
            stored.append((data, result.manifest))
        }
        try await repository.flush()
        let reopened = try await Repository.open(store: store, password: Self.password)
        for (data, manifest) in stored {
            #expect(try await collect(reopened.read(manifest)) == data, "size \(data.readableBytes), after reopen")
        }
        #expect(await reopened.statistics == repository.statistics)
        let empty = try await Self.store(ByteBuffer(), in: repository, generator: &generator)
        #expect(empty.manifest == ContentManifest(size: 0, chunks: []))
    }

    @Test("storing the same content twice adds no bytes; editing the middle of a big file adds one or two chunks")
    func deduplication() async throws {
        let (_, repository) = try await Self.makeRepository()
        var generator = SeededGenerator(seed: 99)
        let original = generator.bytes(16 << 20)
        let first = try await Self.store(original, in: repository, generator: &generator)
        #expect(first.newBytes == Int64(original.readableBytes))
        let again = try await Self.store(original, in: repository, generator: &generator)
        #expect(again.newBytes == 0)
        #expect(again.manifest == first.manifest)

        var edited = original
        edited.setBytes([UInt8](repeating: 0xAA, count: 100), at: 8 << 20)
        let third = try await Self.store(edited, in: repository, generator: &generator)
        let newChunks = Set(third.manifest.chunks).subtracting(first.manifest.chunks)
        #expect((1...2).contains(newChunks.count))
        #expect(third.newBytes > 0 && third.newBytes <= 2 * Int64(ChunkingParameters.default.maximumSize))
        #expect(try await collect(repository.read(third.manifest)) == edited)
    }

    @Test("a wrong password fails with wrongPassword; an added password opens the same repository")
    func passwords() async throws {
        let (store, repository) = try await Self.makeRepository()
        await #expect(throws: ChunkStoreError.wrongPassword) {
            try await Repository.open(store: store, password: "wrong")
        }
        try await repository.addPassword("second", parameters: .insecureFastForTesting)
        let reopened = try await Repository.open(store: store, password: "second")
        #expect(reopened.repositoryID == repository.repositoryID)
        await #expect(throws: ChunkStoreError.repositoryAlreadyExists) {
            try await Repository.initialize(store: store, password: "x", parameters: .insecureFastForTesting)
        }
        await #expect(throws: ChunkStoreError.repositoryNotFound) {
            try await Repository.open(store: try TemporaryStore.make(), password: "x")
        }
    }

    @Test("incompressible data is stored uncompressed, text is compressed")
    func compression() async throws {
        var generator = SeededGenerator(seed: 5)
        let (_, random) = try await Self.makeRepository()
        let noise = try await Self.store(generator.bytes(3 << 20), in: random, generator: &generator)
        let noiseStats = await random.statistics
        // Uncompressed: exactly the plaintext plus nonce, tag and the compression byte per chunk.
        #expect(noiseStats.storedBytes == 3 << 20 + Int64(noise.manifest.chunks.count * ChunkSealer.overhead))

        let (_, textual) = try await Self.makeRepository()
        let text = Self.text(3 << 20)
        let stored = try await Self.store(text, in: textual, generator: &generator)
        #expect(await textual.statistics.storedBytes < (3 << 20) / 4)
        #expect(try await collect(textual.read(stored.manifest)) == text)
    }

    @Test("a flipped byte in a pack makes read throw instead of returning wrong bytes")
    func corruption() async throws {
        let (store, repository) = try await Self.makeRepository()
        var generator = SeededGenerator(seed: 11)
        let data = generator.bytes(1 << 20)
        let stored = try await Self.store(data, in: repository, generator: &generator)
        try await repository.flush()
        let pack = try #require(try await store.list(prefix: "packs/").first)
        let handle = try #require(FileHandle(forUpdatingAtPath: store.root + "/" + pack.key))
        try handle.seek(toOffset: 5000)
        let original = try #require(try handle.read(upToCount: 1))
        try handle.seek(toOffset: 5000)
        try handle.write(contentsOf: Data([original[0] ^ 0x01]))
        try handle.close()

        let reopened = try await Repository.open(store: store, password: Self.password)
        await #expect(throws: ChunkStoreError.self) {
            _ = try await collect(reopened.read(stored.manifest))
        }
        await #expect(throws: ChunkStoreError.self) {
            _ = try await collect(repository.read(stored.manifest))
        }
    }

    @Test("an index rebuilt from pack tables alone equals the written index")
    func rebuildIndex() async throws {
        let small = ChunkingParameters(minimumSize: 16 << 10, averageSize: 64 << 10, maximumSize: 256 << 10)
        let (store, repository) = try await Self.makeRepository(chunking: small)
        await repository.setPackTargetSize(1 << 20)
        var generator = SeededGenerator(seed: 3)
        for size in [5 << 20, 100, 3 << 20] {
            _ = try await Self.store(generator.bytes(size), in: repository, generator: &generator)
            try await repository.flush()
        }
        let written = try await repository.indexedEntries()
        #expect(written.count == (await repository.statistics.chunks))
        #expect(try await store.list(prefix: "packs/").count == (await repository.statistics.packs))
        #expect(await repository.statistics.packs >= 8)
        #expect(try await repository.rebuildIndexFromPacks() == written)
        let reopened = try await Repository.open(store: store, password: Self.password)
        #expect(try await reopened.indexedEntries() == written)
    }

    @Test("concurrent stores of overlapping content deduplicate and all read back")
    func concurrentStores() async throws {
        let small = ChunkingParameters(minimumSize: 16 << 10, averageSize: 64 << 10, maximumSize: 256 << 10)
        let (store, repository) = try await Self.makeRepository(chunking: small)
        await repository.setPackTargetSize(512 << 10)
        var generator = SeededGenerator(seed: 8)
        let shared = generator.bytes(2 << 20)
        let inputs = (0..<4).map { _ in
            var buffer = shared
            var extra = generator.bytes(300 << 10)
            buffer.writeBuffer(&extra)
            return generator.split(buffer, maxPiece: 64 << 10)
        }
        let results = try await withThrowingTaskGroup(of: (Int, StoredContent).self) { group in
            for (position, pieces) in inputs.enumerated() {
                group.addTask { (position, try await repository.store(BufferSequence(pieces))) }
            }
            var results: [Int: StoredContent] = [:]
            for try await (position, result) in group { results[position] = result }
            return results
        }
        let totalNew = results.values.reduce(Int64(0)) { $0 + $1.newBytes }
        let uniqueBytes = Int64(2 << 20) + 4 * Int64(300 << 10)
        #expect(totalNew < uniqueBytes + 4 * Int64(small.maximumSize))
        try await repository.flush()
        let reopened = try await Repository.open(store: store, password: Self.password)
        for (position, pieces) in inputs.enumerated() {
            var expected = ByteBuffer()
            for var piece in pieces { expected.writeBuffer(&piece) }
            let manifest = try #require(results[position]).manifest
            #expect(try await collect(reopened.read(manifest)) == expected)
        }
    }

    @Test("after a failed pack upload, flush throws and re-stored content becomes durable")
    func failedUpload() async throws {
        let base = try TemporaryStore.make()
        let store = FlakyStore(base: base, failingPackPuts: 1)
        let repository = try await Repository.initialize(
            store: store, password: Self.password, parameters: .insecureFastForTesting)
        await repository.setPackTargetSize(1 << 20)
        var generator = SeededGenerator(seed: 21)
        let small = generator.bytes(600 << 10)
        let first = try await Self.store(small, in: repository, generator: &generator)
        // The next store fills the pack that also holds `small`; its upload fails.
        await #expect(throws: FlakyStore.InjectedFailure.self) {
            _ = try await Self.store(generator.bytes(600 << 10), in: repository, generator: &generator)
        }
        await #expect(throws: FlakyStore.InjectedFailure.self) { try await repository.flush() }
        let again = try await Self.store(small, in: repository, generator: &generator)
        #expect(again.newBytes == Int64(small.readableBytes))
        try await repository.flush()
        let reopened = try await Repository.open(store: base, password: Self.password)
        #expect(try await collect(reopened.read(first.manifest)) == small)
    }
}
