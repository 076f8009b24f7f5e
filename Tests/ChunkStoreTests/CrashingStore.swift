import NIOCore
import Synchronization

@testable import ChunkStore

/// Wraps a store and lets only the first `mutationsBeforeCrash` puts and deletes (of keys under `prefix`) through;
/// every later one fails, as if the process had died at that instant. Reads always work.
final class CrashingStore: ObjectStore {
    struct Crash: Error {}

    let base: any ObjectStore
    let prefix: String
    private let state: Mutex<(allowed: Int, performed: Int)>

    init(base: any ObjectStore, mutationsBeforeCrash: Int, prefix: String = "") {
        self.base = base
        self.prefix = prefix
        self.state = Mutex((mutationsBeforeCrash, 0))
    }

    /// Mutations that went through.
    var mutationsPerformed: Int { state.withLock { $0.performed } }

    private func mutate(_ key: String) throws {
        guard key.hasPrefix(prefix) else { return }
        let allowed = state.withLock { state in
            guard state.performed < state.allowed else { return false }
            state.performed += 1
            return true
        }
        if !allowed { throw Crash() }
    }

    func put(key: String, data: ByteBuffer) async throws {
        try mutate(key)
        try await base.put(key: key, data: data)
    }

    func delete(key: String) async throws {
        try mutate(key)
        try await base.delete(key: key)
    }

    func get(key: String, range: Range<Int64>?) async throws -> ByteBuffer { try await base.get(key: key, range: range) }
    func head(key: String) async throws -> ObjectInfo? { try await base.head(key: key) }
    func list(prefix: String) async throws -> [ObjectInfo] { try await base.list(prefix: prefix) }
}
