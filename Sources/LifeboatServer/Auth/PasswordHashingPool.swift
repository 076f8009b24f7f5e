import NIOPosix
import ServiceLifecycle
import Synchronization

/// Runs scrypt (each verification costs hundreds of milliseconds of CPU) on threads of its own, never on the
/// cooperative executor that serves every other request, and with a bounded queue: a storm of sign-ins waits here or
/// is turned away (`RequestError.busy`), while reads keep their threads.
///
/// A service: `run()` keeps the threads until graceful shutdown, then stops them.
public final class PasswordHashingPool: Service, Sendable {
    private let hasher: any SecretVerifying
    private let threads: NIOThreadPool
    /// Verifications running or waiting.
    private let admitted = Mutex(0)
    /// The most verifications running or waiting at once; more are refused.
    private let capacity: Int

    /// Creates the pool and starts its threads.
    /// - Parameters:
    ///   - threadCount: threads hashing at once (keep it below the core count so the server keeps cores to answer).
    ///   - queueLimit: verifications that may wait for a thread; beyond them a sign-in is refused at once.
    public init(hasher: any SecretVerifying, threadCount: Int = 1, queueLimit: Int = 32) {
        self.hasher = hasher
        self.threads = NIOThreadPool(numberOfThreads: max(1, threadCount))
        self.capacity = max(1, threadCount) + max(0, queueLimit)
        threads.start()
    }

    /// Whether `secret` matches `stored`; with no stored hash (an unknown name) a hash is still spent, so the answer
    /// takes as long as a wrong password's. Throws `RequestError.busy` when the queue is full.
    public func verify(_ secret: String, against stored: String?) async throws -> Bool {
        let taken = admitted.withLock { count in
            guard count < capacity else { return false }
            count += 1
            return true
        }
        guard taken else { throw RequestError.busy(retryAfterSeconds: 1) }
        defer { admitted.withLock { $0 -= 1 } }
        let hasher = self.hasher
        return try await threads.runIfActive {
            guard let stored else {
                _ = try? hasher.hash(secret)
                return false
            }
            return hasher.verify(secret, against: stored)
        }
    }

    /// Keeps the threads until graceful shutdown, then stops them once the queued verifications have run.
    public func run() async throws {
        try? await gracefulShutdown()
        try await shutdown()
    }

    /// Stops the threads once the queued verifications have run (for a pool that is not run as a service).
    public func shutdown() async throws {
        try await threads.shutdownGracefully()
    }
}
