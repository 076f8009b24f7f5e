import Foundation
import NIOCore
import Testing

@testable import ChunkStore

/// What only the local backend promises; the shared contract is in `ObjectStoreContractTests`.
@Suite("LocalDirectoryStore")
struct LocalDirectoryStoreTests {
    @Test("a temporary file left by a crash mid-put is never listed")
    func listSkipsTemporaryFiles() async throws {
        let store = try TemporaryStore.make()
        try await store.put(key: "packs/ab/ab01", data: ByteBuffer(string: "x"))
        _ = FileManager.default.createFile(atPath: store.root + "/packs/ab/.tmp-leftover", contents: Data([1, 2]))
        #expect(try await store.list(prefix: "packs/").map(\.key) == ["packs/ab/ab01"])
    }

    @Test("put leaves no temporary file behind")
    func cleanliness() async throws {
        let store = try TemporaryStore.make()
        try await store.put(key: "index/a", data: ByteBuffer(string: "a"))
        let names = try FileManager.default.contentsOfDirectory(atPath: store.root + "/index")
        #expect(names == ["a"])
    }
}
