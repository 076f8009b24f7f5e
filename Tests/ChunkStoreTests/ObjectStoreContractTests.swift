import Foundation
import NIOCore
import Testing

@testable import ChunkStore

/// The behaviour every `ObjectStore` promises, run against each backend.
@Suite("ObjectStore contract", .motoServer)
struct ObjectStoreContractTests {
    @Test("put then get returns the same bytes, whole and by range", arguments: StoreBackend.available)
    func putGetRange(backend: StoreBackend) async throws {
        let store = try await backend.makeStore()
        var generator = SeededGenerator(seed: 7)
        let data = generator.bytes(3 << 20 + 17)
        try await store.put(key: "packs/ab/abcdef", data: data)
        #expect(try await store.get(key: "packs/ab/abcdef", range: nil) == data)
        let part = try await store.get(key: "packs/ab/abcdef", range: 1000..<5000)
        #expect(part == data.getSlice(at: 1000, length: 4000))
        let tail = try await store.get(key: "packs/ab/abcdef", range: Int64(data.readableBytes - 1)..<Int64(data.readableBytes))
        #expect(tail == data.getSlice(at: data.readableBytes - 1, length: 1))
        let empty = try await store.get(key: "packs/ab/abcdef", range: 10..<10)
        #expect(empty.readableBytes == 0)
    }

    @Test("a range past the end and a missing key throw typed errors", arguments: StoreBackend.available)
    func errors(backend: StoreBackend) async throws {
        let store = try await backend.makeStore()
        try await store.put(key: "config", data: ByteBuffer(string: "12345"))
        await #expect(throws: ChunkStoreError.rangeNotSatisfiable(key: "config", lowerBound: 2, upperBound: 9, size: 5)) {
            try await store.get(key: "config", range: 2..<9)
        }
        await #expect(throws: ChunkStoreError.rangeNotSatisfiable(key: "config", lowerBound: 5, upperBound: 7, size: 5)) {
            try await store.get(key: "config", range: 5..<7)
        }
        await #expect(throws: ChunkStoreError.objectNotFound("index/nope")) {
            try await store.get(key: "index/nope", range: nil)
        }
        await #expect(throws: ChunkStoreError.objectNotFound("index/nope")) {
            try await store.get(key: "index/nope", range: 0..<1)
        }
        #expect(try await store.head(key: "index/nope") == nil)
        #expect(try await store.head(key: "config") == ObjectInfo(key: "config", size: 5))
    }

    @Test("objects are write-once: same content is accepted, different content is refused", arguments: StoreBackend.available)
    func writeOnce(backend: StoreBackend) async throws {
        let store = try await backend.makeStore()
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

    @Test("list returns keys under a prefix, sorted", arguments: StoreBackend.available)
    func list(backend: StoreBackend) async throws {
        let store = try await backend.makeStore()
        for key in ["packs/cd/cd01", "packs/ab/ab02", "packs/ab/ab01", "index/i1", "config"] {
            try await store.put(key: key, data: ByteBuffer(string: key))
        }
        #expect(try await store.list(prefix: "packs/").map(\.key) == ["packs/ab/ab01", "packs/ab/ab02", "packs/cd/cd01"])
        #expect(try await store.list(prefix: "packs/ab/ab0").map(\.key) == ["packs/ab/ab01", "packs/ab/ab02"])
        #expect(try await store.list(prefix: "").count == 5)
        #expect(try await store.list(prefix: "missing/").isEmpty)
        #expect(try await store.list(prefix: "index/") == [ObjectInfo(key: "index/i1", size: 8)])
    }

    @Test("delete removes an object and is idempotent", arguments: StoreBackend.available)
    func delete(backend: StoreBackend) async throws {
        let store = try await backend.makeStore()
        try await store.put(key: "index/a", data: ByteBuffer(string: "a"))
        try await store.delete(key: "index/a")
        try await store.delete(key: "index/a")
        #expect(try await store.head(key: "index/a") == nil)
        #expect(try await store.list(prefix: "index/").isEmpty)
    }

    @Test(
        "keys that could escape the directory are rejected",
        arguments: StoreBackend.available, ["", "/etc/passwd", "../x", "a//b", "a/./b", "a/.tmp-x"])
    func invalidKeys(backend: StoreBackend, key: String) async throws {
        let store = try await backend.makeStore()
        await #expect(throws: ChunkStoreError.invalidKey(key)) {
            try await store.put(key: key, data: ByteBuffer(string: "x"))
        }
    }
}
