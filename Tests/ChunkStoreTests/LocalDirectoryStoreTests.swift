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

    @Test("objects are written 0600 and folders created 0700, whatever the process's umask lets through")
    func ownerOnlyModes() async throws {
        let store = try TemporaryStore.make()
        try await store.put(key: "packs/ab/ab01", data: ByteBuffer(string: "sealed pack"))
        try await store.put(key: "keys/k1", data: ByteBuffer(string: "wrapped key"))
        func mode(_ relative: String) throws -> Int {
            (try FileManager.default.attributesOfItem(atPath: store.root + relative)[.posixPermissions] as? Int ?? -1) & 0o777
        }
        for folder in ["", "/packs", "/packs/ab", "/keys"] { #expect(try mode(folder) == 0o700, "\(folder)") }
        for file in ["/packs/ab/ab01", "/keys/k1"] { #expect(try mode(file) == 0o600, "\(file)") }
    }

    @Test("put leaves no temporary file behind")
    func cleanliness() async throws {
        let store = try TemporaryStore.make()
        try await store.put(key: "index/a", data: ByteBuffer(string: "a"))
        let names = try FileManager.default.contentsOfDirectory(atPath: store.root + "/index")
        #expect(names == ["a"])
    }

    @Test("leftover temporary files older than the age are removed anywhere below the root; fresh ones and objects stay")
    func removeLeftovers() async throws {
        let store = try TemporaryStore.make()
        try await store.put(key: "packs/ab/ab01", data: ByteBuffer(string: "pack"))
        try await store.put(key: "index/a", data: ByteBuffer(string: "a"))
        let old = [store.root + "/packs/ab/.tmp-old", store.root + "/index/.tmp-old", store.root + "/.tmp-config"]
        for path in old {
            _ = FileManager.default.createFile(atPath: path, contents: Data(repeating: 7, count: 100))
            try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSinceNow: -7200)], ofItemAtPath: path)
        }
        let fresh = store.root + "/packs/ab/.tmp-fresh"
        _ = FileManager.default.createFile(atPath: fresh, contents: Data([1]))

        let removed = try await store.removeLeftovers(olderThan: .seconds(3600))
        #expect(removed.count == 3 && removed.bytes == 300)
        #expect(old.allSatisfy { !FileManager.default.fileExists(atPath: $0) })
        #expect(FileManager.default.fileExists(atPath: fresh), "a write that may still be going on is left alone")
        #expect(try await store.list(prefix: "").map(\.key) == ["index/a", "packs/ab/ab01"])
        #expect(try await store.removeLeftovers(olderThan: .seconds(3600)) == StoreLeftovers())
    }
}
