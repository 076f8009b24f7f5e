import Foundation
import NIOCore
import Synchronization
import Testing

@testable import ChunkStore

extension RepositoryTests {
    @Test("a writer sharing the instance fails its flush when a pack upload failed since it started, even after another writer's flush reported it")
    func sharedInstanceUploadFailure() async throws {
        let base = try TemporaryStore.make()
        let store = FlakyStore(base: base, failingPackPuts: 1)
        let repository = try await Repository.initialize(
            store: store, password: Self.password, parameters: .insecureFastForTesting)
        await repository.setPackTargetSize(1 << 20)
        var generator = SeededGenerator(seed: 31)
        let earlier = await repository.uploadFailureMark
        let shared = generator.bytes(600 << 10)
        // Writer B stores content; it sits in the open pack.
        let first = try await Self.store(shared, in: repository, generator: &generator)
        let later = await repository.uploadFailureMark
        // Writer A fills the pack that also holds B's content; its upload fails and A's flush reports it.
        await #expect(throws: FlakyStore.InjectedFailure.self) {
            _ = try await Self.store(generator.bytes(600 << 10), in: repository, generator: &generator)
        }
        await #expect(throws: FlakyStore.InjectedFailure.self) { try await repository.flush(failingOnUploadsFailedSince: later) }
        await #expect(throws: FlakyStore.InjectedFailure.self, "B's content was in the failed pack") {
            try await repository.flush(failingOnUploadsFailedSince: earlier)
        }
        #expect(try await Repository.open(store: base, password: Self.password).contains(first.manifest.chunks[0]) == false)

        // A writer starting now cannot deduplicate against the dropped chunks: it stores them again and succeeds.
        let fresh = await repository.uploadFailureMark
        let again = try await Self.store(shared, in: repository, generator: &generator)
        #expect(again.newBytes == Int64(shared.readableBytes))
        try await repository.flush(failingOnUploadsFailedSince: fresh)
        let reopened = try await Repository.open(store: base, password: Self.password)
        #expect(try await collect(reopened.read(again.manifest)) == shared)
    }

    @Test("indexFilesAtOpen is the listing the index was built from, so a prune replacing index files during open is noticed")
    func indexFilesAtOpenComeFromTheOpeningListing() async throws {
        let (base, repository) = try await Self.makeRepository()
        var generator = SeededGenerator(seed: 41)
        let content = generator.bytes(100 << 10)
        let stored = try await Self.store(content, in: repository, generator: &generator)
        try await repository.flush()
        let written = try await repository.indexFiles()
        #expect(written.count == 1)

        let store = ReplaceIndexAfterReadStore(base: base)
        let reopened = try await Repository.open(store: store, password: Self.password, indexCache: .memory)
        #expect(reopened.indexFilesAtOpen == written)
        let now = try await reopened.indexFiles()
        #expect(now.count == 1 && now != written, "the index file was replaced while the repository opened")
        #expect(!reopened.indexFilesAtOpen.isSubset(of: now), "so a later listing shows the replacement")
        #expect(try await collect(reopened.read(stored.manifest)) == content)
    }
}

/// A store that, right after an index file is first read, replaces it by a copy under a new key, as a prune
/// rewriting the index between a repository's listing of `index/` and anyone's later listing would.
final class ReplaceIndexAfterReadStore: ObjectStore {
    let base: any ObjectStore
    private let replaced = Mutex<Set<String>>([])

    init(base: any ObjectStore) {
        self.base = base
    }

    func get(key: String, range: Range<Int64>?) async throws -> ByteBuffer {
        let data = try await base.get(key: key, range: range)
        let first = key.hasPrefix(IndexFile.prefix) && replaced.withLock { $0.insert(key).inserted }
        if first {
            try await base.put(key: IndexFile.prefix + Repository.randomHex(byteCount: 32), data: data)
            try await base.delete(key: key)
        }
        return data
    }

    func put(key: String, data: ByteBuffer) async throws { try await base.put(key: key, data: data) }
    func head(key: String) async throws -> ObjectInfo? { try await base.head(key: key) }
    func list(prefix: String) async throws -> [ObjectInfo] { try await base.list(prefix: prefix) }
    func delete(key: String) async throws { try await base.delete(key: key) }
}
