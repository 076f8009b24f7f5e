import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import Testing

@testable import ChunkStore

/// S3-specific behaviour against moto's S3 server; the shared contract runs in `ObjectStoreContractTests`.
// Skipped where moto is missing: `pip install "moto[server]"` puts `moto_server` on PATH and enables this suite.
@Suite(
    "S3ObjectStore", .enabled(if: MotoServer.isInstalled, #"moto_server not found; pip install "moto[server]" enables the S3 tests"#),
    .motoServer)
struct S3ObjectStoreTests {
    var server: MotoServer {
        get throws { try #require(MotoServer.current) }
    }

    @Test("a repository stores content in S3 and reads it back byte for byte after reopening")
    func repositoryRoundTrip() async throws {
        let store = try await server.makeStore(keyPrefix: "repo")
        let repository = try await Repository.initialize(
            store: store, password: RepositoryTests.password, parameters: .insecureFastForTesting)
        var generator = SeededGenerator(seed: 31)
        var stored: [(ByteBuffer, ContentManifest)] = []
        for size in [0, 1, 70_000, 3 << 20] {
            let data = generator.bytes(size)
            let result = try await RepositoryTests.store(data, in: repository, generator: &generator)
            stored.append((data, result.manifest))
        }
        try await repository.flush()
        let reopened = try await Repository.open(store: store, password: RepositoryTests.password)
        for (data, manifest) in stored {
            #expect(try await collect(reopened.read(manifest)) == data, "size \(data.readableBytes)")
        }
        #expect(try await store.list(prefix: "config").map(\.key) == ["config"])
        #expect(try await !store.list(prefix: "packs/").isEmpty)
    }

    @Test("list follows continuation tokens past S3's 1000-key page")
    func listPaginates() async throws {
        let store = try await server.makeStore()
        let keys = (0..<1105).map { String(format: "index/%05d", $0) }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for batch in stride(from: 0, to: keys.count, by: 140) {
                group.addTask {
                    for key in keys[batch..<min(batch + 140, keys.count)] {
                        try await store.put(key: key, data: ByteBuffer(string: "x"))
                    }
                }
            }
            try await group.waitForAll()
        }
        try await store.put(key: "other", data: ByteBuffer(string: "y"))
        let listed = try await store.list(prefix: "index/")
        #expect(listed.map(\.key) == keys)
        #expect(listed.allSatisfy { $0.size == 1 })
    }

    @Test("objects over the threshold go up in parts and read back whole, by range, and write-once")
    func multipart() async throws {
        let store = try await server.makeStore(multipartThreshold: S3Configuration.minimumPartSize)
        var generator = SeededGenerator(seed: 5)
        let data = generator.bytes(2 * S3Configuration.minimumPartSize + 12_345)
        try await store.put(key: "packs/mp/big", data: data)
        let head = try await store.perform(.HEAD, objectKey: "packs/mp/big", operation: "HeadObject")
        #expect(head.headers.first(name: "etag")?.hasSuffix("-3\"") == true, "three parts")
        #expect(try await store.get(key: "packs/mp/big", range: nil) == data)
        let straddle = try await store.get(key: "packs/mp/big", range: 5_242_000..<5_243_000)
        #expect(straddle == data.getSlice(at: 5_242_000, length: 1000))
        try await store.put(key: "packs/mp/big", data: data)
        var changed = data
        changed.setBytes([0xFF], at: 10)
        await #expect(throws: ChunkStoreError.objectConflict("packs/mp/big")) {
            try await store.put(key: "packs/mp/big", data: changed)
        }
        let uploads = try await store.perform(.GET, objectKey: nil, query: [("uploads", "")], operation: "ListMultipartUploads")
        #expect(S3XMLElement.parse(uploads.body)?.children(named: "Upload").isEmpty == true, "no upload left open")
    }

    @Test("incomplete multipart uploads under the prefix older than the age are aborted; younger ones and other prefixes stay")
    func removeLeftovers() async throws {
        let store = try await server.makeStore(keyPrefix: "left")
        let neighbour = S3ObjectStore(configuration: try server.configuration(bucket: store.configuration.bucket, keyPrefix: "other/"))
        try await store.put(key: "config", data: ByteBuffer(string: "c"))
        for key in ["packs/aa/killed-1", "packs/bb/killed-2"] {
            _ = try await store.perform(.POST, objectKey: key, query: [("uploads", "")], operation: "CreateMultipartUpload")
        }
        _ = try await neighbour.perform(.POST, objectKey: "packs/cc/theirs", query: [("uploads", "")], operation: "CreateMultipartUpload")
        func openUploads() async throws -> [String] {
            let listing = try await store.perform(.GET, objectKey: nil, query: [("uploads", "")], operation: "ListMultipartUploads")
            return S3XMLElement.parse(listing.body)?.children(named: "Upload").compactMap { $0.child("Key")?.text }.sorted() ?? []
        }
        #expect(try await openUploads() == ["left/packs/aa/killed-1", "left/packs/bb/killed-2", "other/packs/cc/theirs"])

        // moto reports every upload as initiated 2010-11-10T20:48:33Z: one younger than the age is left alone.
        #expect(try await store.removeLeftovers(olderThan: .seconds(40 * 365 * 86_400)).count == 0, "uploads younger than the age stay")
        #expect(try await store.removeLeftovers(olderThan: .zero).count == 2)
        #expect(try await openUploads() == ["other/packs/cc/theirs"])
        #expect(try await store.list(prefix: "").map(\.key) == ["config"])
        #expect(S3ObjectStore.instant("2026-11-25T04:50:00Z") == S3ObjectStore.instant("2026-11-25T04:50:00.000Z"))
    }

    @Test("a key prefix keeps repositories sharing a bucket apart")
    func keyPrefixIsolation() async throws {
        let first = try await server.makeStore(keyPrefix: "one")
        let second = S3ObjectStore(configuration: try server.configuration(bucket: first.configuration.bucket, keyPrefix: "two/"))
        try await first.put(key: "config", data: ByteBuffer(string: "1"))
        try await second.put(key: "config", data: ByteBuffer(string: "22"))
        #expect(try await first.list(prefix: "") == [ObjectInfo(key: "config", size: 1)])
        #expect(try await second.head(key: "config") == ObjectInfo(key: "config", size: 2))
    }

    @Test("with signature checking on, correctly signed writes, reads and multipart uploads are accepted and a wrong secret is denied")
    func signaturesAreVerified() async throws {
        let checking = try await MotoServer.start(authenticated: true)
        defer { checking.stop() }
        let good = try await checking.makeStore(multipartThreshold: S3Configuration.minimumPartSize)
        var generator = SeededGenerator(seed: 11)
        let big = generator.bytes(S3Configuration.minimumPartSize + 99)
        try await good.put(key: "packs/ab/big", data: big)
        try await good.put(key: "config", data: ByteBuffer(string: "x"))
        #expect(try await good.get(key: "packs/ab/big", range: 3..<4) == big.getSlice(at: 3, length: 1))
        #expect(try await good.head(key: "config") == ObjectInfo(key: "config", size: 1))
        try await good.delete(key: "config")

        let bad = S3ObjectStore(
            configuration: try checking.configuration(bucket: good.configuration.bucket, secretAccessKey: "not-the-secret"))
        let error = await #expect(throws: ChunkStoreError.self) {
            try await bad.put(key: "config", data: ByteBuffer(string: "x"))
        }
        guard case .storeAccessDenied(let bucket, _) = error else {
            Issue.record("expected storeAccessDenied, got \(String(describing: error))")
            return
        }
        #expect(bucket == good.configuration.bucket)
        await #expect(throws: ChunkStoreError.storeAccessDenied(bucket: bucket, code: "SignatureDoesNotMatch")) {
            try await bad.get(key: "packs/ab/big", range: nil)
        }
        #expect(try await good.head(key: "config") == nil)
    }

    @Test("a 500 or a dropped connection is retried and the request then succeeds", arguments: [
        FlakyTransport.Failure.serverError, .connectionDropped,
    ])
    func retriesTransientFailures(failure: FlakyTransport.Failure) async throws {
        let bucket = try await server.makeStore().configuration.bucket
        let flaky = FlakyTransport(base: HTTPClient.shared, failures: 2, failure: failure)
        let store = S3ObjectStore(configuration: try server.configuration(bucket: bucket), transport: flaky)
        try await store.put(key: "index/r", data: ByteBuffer(string: "retried"))
        #expect(String(buffer: try await store.get(key: "index/r", range: nil)) == "retried")
        #expect(flaky.requests == 5, "HEAD failed twice, then HEAD, PUT and GET")
    }

    @Test("a store that keeps failing gives up after the policy's attempts with a typed error")
    func givesUp() async throws {
        let bucket = try await server.makeStore().configuration.bucket
        let flaky = FlakyTransport(base: HTTPClient.shared, failures: 100, failure: .serverError)
        let store = S3ObjectStore(configuration: try server.configuration(bucket: bucket), transport: flaky)
        await #expect(throws: ChunkStoreError.storeUnavailable(
            operation: "HeadObject", key: "index/r", reason: "HTTP 500 InternalError")) {
            try await store.head(key: "index/r")
        }
        #expect(flaky.requests == 3)
    }
}
