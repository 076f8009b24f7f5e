import NIOCore
import Synchronization

@testable import ChunkStore

/// Wraps a store and fails the next `failingPackPuts` pack uploads, to test what flush promises after a failure.
final class FlakyStore: ObjectStore {
    struct InjectedFailure: Error {}

    let base: LocalDirectoryStore
    private let remainingFailures: Mutex<Int>

    init(base: LocalDirectoryStore, failingPackPuts: Int) {
        self.base = base
        self.remainingFailures = Mutex(failingPackPuts)
    }

    func put(key: String, data: ByteBuffer) async throws {
        if key.hasPrefix("packs/") {
            let fail = remainingFailures.withLock { remaining in
                guard remaining > 0 else { return false }
                remaining -= 1
                return true
            }
            if fail { throw InjectedFailure() }
        }
        try await base.put(key: key, data: data)
    }

    func get(key: String, range: Range<Int64>?) async throws -> ByteBuffer { try await base.get(key: key, range: range) }
    func head(key: String) async throws -> ObjectInfo? { try await base.head(key: key) }
    func list(prefix: String) async throws -> [ObjectInfo] { try await base.list(prefix: prefix) }
    func delete(key: String) async throws { try await base.delete(key: key) }
}
