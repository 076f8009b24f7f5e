import Foundation
import NIOCore
import Testing

@testable import ChunkStore

@Suite("LocalDirectoryStore")
struct LocalDirectoryStoreTests {
    @Test("put then get returns the same bytes, whole and by range")
    func putGetRange() async throws {
        let store = try TemporaryStore.make()
        var generator = SeededGenerator(seed: 7)
        let data = generator.bytes(3 << 20 + 17)
        try await store.put(key: "packs/ab/abcdef", data: data)
        #expect(try await store.get(key: "packs/ab/abcdef", range: nil) == data)
        let part = try await store.get(key: "packs/ab/abcdef", range: 1000..<5000)
        #expect(part == data.getSlice(at: 1000, length: 4000))
        let empty = try await store.get(key: "packs/ab/abcdef", range: 10..<10)
        #expect(empty.readableBytes == 0)
    }

    @Test("a range past the end and a missing key throw typed errors")
    func errors() async throws {
        let store = try TemporaryStore.make()
        try await store.put(key: "config", data: ByteBuffer(string: "12345"))
        await #expect(throws: ChunkStoreError.rangeNotSatisfiable(key: "config", lowerBound: 2, upperBound: 9, size: 5)) {
            try await store.get(key: "config", range: 2..<9)
        }
        await #expect(throws: ChunkStoreError.objectNotFound("index/nope")) {
            try await store.get(key: "index/nope", range: nil)
        }
        #expect(try await store.head(key: "index/nope") == nil)
        #expect(try await store.head(key: "config") == ObjectInfo(key: "config", size: 5))
    }

    @Test("objects are write-once: same content is accepted, different content is refused")
    func writeOnce() async throws {
        let store = try TemporaryStore.make()
        try await store.put(key: "keys/k1", data: ByteBuffer(string: "one"))
        try await store.put(key: "keys/k1", data: ByteBuffer(string: "one"))
        await #expect(throws: ChunkStoreError.objectConflict("keys/k1")) {
            try await store.put(key: "keys/k1", data: ByteBuffer(string: "two"))
        }
        await #expect(throws: ChunkStoreError.objectConflict("keys/k1")) {
            try await store.put(key: "keys/k1", data: ByteBuffer(string: "onf"))
        }
        #expect(String(buffer: try await store.get(key: "keys/k1", range: nil)) == "one")
    }

    @Test("list returns keys under a prefix, sorted, without temporary files")
    func list() async throws {
        let store = try TemporaryStore.make()
        for key in ["packs/cd/cd01", "packs/ab/ab02", "packs/ab/ab01", "index/i1", "config"] {
            try await store.put(key: key, data: ByteBuffer(string: key))
        }
        // A crash mid-put leaves a hidden temporary file; it must never show up as an object.
        FileManager.default.createFile(atPath: store.root + "/packs/ab/.tmp-leftover", contents: Data([1, 2]))
        #expect(try await store.list(prefix: "packs/").map(\.key) == ["packs/ab/ab01", "packs/ab/ab02", "packs/cd/cd01"])
        #expect(try await store.list(prefix: "packs/ab/ab0").map(\.key) == ["packs/ab/ab01", "packs/ab/ab02"])
        #expect(try await store.list(prefix: "").count == 5)
        #expect(try await store.list(prefix: "missing/").isEmpty)
        #expect(try await store.list(prefix: "index/") == [ObjectInfo(key: "index/i1", size: 8)])
    }

    @Test("put leaves no temporary file behind and delete is idempotent")
    func deleteAndCleanliness() async throws {
        let store = try TemporaryStore.make()
        try await store.put(key: "index/a", data: ByteBuffer(string: "a"))
        let names = try FileManager.default.contentsOfDirectory(atPath: store.root + "/index")
        #expect(names == ["a"])
        try await store.delete(key: "index/a")
        try await store.delete(key: "index/a")
        #expect(try await store.head(key: "index/a") == nil)
    }

    @Test("keys that could escape the directory are rejected", arguments: ["", "/etc/passwd", "../x", "a//b", "a/./b", "a/.tmp-x"])
    func invalidKeys(key: String) async throws {
        let store = try TemporaryStore.make()
        await #expect(throws: ChunkStoreError.invalidKey(key)) {
            try await store.put(key: key, data: ByteBuffer(string: "x"))
        }
    }
}
