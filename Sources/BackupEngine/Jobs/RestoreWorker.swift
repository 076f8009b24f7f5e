import Foundation
import LifeboatModel
import Logging
import ServiceLifecycle

/// Runs submitted restore jobs in the background; a service of the server's lifecycle.
///
/// Admission is the runner's: at most its limit of restore and export jobs per organization are queued or running,
/// so the worker can start every submission as it arrives.
public final class RestoreWorker: Service {
    private let runner: RestoreRunner
    private let submissions: AsyncStream<JobRun>
    private let continuation: AsyncStream<JobRun>.Continuation
    private let logger: Logger

    /// Creates a worker over a runner.
    public init(runner: RestoreRunner, logger: Logger) {
        self.runner = runner
        (submissions, continuation) = AsyncStream.makeStream(of: JobRun.self)
        self.logger = logger
    }

    /// Queues a restore job and returns it at once (state `queued`); it runs in the background.
    /// - Throws: `EngineError.tooManyRestoreJobs` when the organization is at its limit, `EngineError.organizationNotFound`.
    public func submit(_ request: RestoreRequest) async throws -> JobRun {
        let run = try await runner.enqueue(request)
        continuation.yield(run)
        return run
    }

    /// Executes submissions until graceful shutdown; jobs in progress finish first.
    public func run() async throws {
        await withDiscardingTaskGroup { group in
            for await run in submissions.cancelOnGracefulShutdown() {
                group.addTask {
                    do {
                        _ = try await self.runner.execute(run)
                    } catch {
                        self.logger.error(
                            "Restore job could not be executed",
                            metadata: ["lifeboat.run.id": "\(run.externalID)", "lifeboat.error": "\(error)"])
                    }
                }
            }
        }
    }
}
