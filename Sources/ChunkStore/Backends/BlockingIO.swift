import Dispatch

/// Runs blocking file-system calls (a 16 MiB pack `write`, `fsync`) on Dispatch threads instead of the Swift
/// concurrency pool, whose few threads (one per core) would otherwise sit in the kernel while chunking and sealing wait.
enum BlockingIO {
    private static let queue = DispatchQueue(label: "lifeboat.chunkstore.blocking-io", attributes: .concurrent)

    /// Runs `work` on the blocking-I/O queue and returns its result to the awaiting task.
    static func run<Value: Sendable>(_ work: @escaping @Sendable () throws -> Value) async throws -> Value {
        try await withCheckedThrowingContinuation { continuation in
            queue.async { continuation.resume(with: Result { try work() }) }
        }
    }
}
