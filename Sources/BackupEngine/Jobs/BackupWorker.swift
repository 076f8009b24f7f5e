import Foundation
import LifeboatModel
import Logging
import ServiceLifecycle

/// Runs submitted backup runs in the background, a bounded number at a time; a service of the server's lifecycle.
public final class BackupWorker: Service {
    private struct Submission: Sendable {
        var run: JobRun
        var fullEnumeration: Bool
    }

    private let runner: BackupRunner
    private let maxConcurrentRuns: Int
    private let submissions: AsyncStream<Submission>
    private let continuation: AsyncStream<Submission>.Continuation
    private let logger: Logger

    /// Creates a worker.
    public init(runner: BackupRunner, maxConcurrentRuns: Int = 2, logger: Logger) {
        self.runner = runner
        self.maxConcurrentRuns = max(1, maxConcurrentRuns)
        (submissions, continuation) = AsyncStream.makeStream(of: Submission.self)
        self.logger = logger
    }

    /// Queues a run of the job and returns it at once (state `queued`).
    /// - Parameter fullEnumeration: read every item again instead of following the stored delta links.
    /// - Throws: `EngineError.jobNotFound`, `EngineError.jobAlreadyRunning`.
    /// - Parameter scheduledAttempt: 1 when the scheduler starts the run, more for its retries; nil otherwise.
    public func submit(jobID: UUID, fullEnumeration: Bool = false, scheduledAttempt: Int? = nil) async throws -> JobRun {
        let run = try await runner.enqueue(jobID: jobID, fullEnumeration: fullEnumeration, scheduledAttempt: scheduledAttempt)
        continuation.yield(Submission(run: run, fullEnumeration: fullEnumeration))
        return run
    }

    /// Executes submissions until graceful shutdown; runs in progress finish first.
    public func run() async throws {
        await withTaskGroup(of: Void.self) { group in
            var active = 0
            for await submission in submissions.cancelOnGracefulShutdown() {
                if active >= maxConcurrentRuns {
                    await group.next()
                    active -= 1
                }
                active += 1
                group.addTask {
                    do {
                        _ = try await self.runner.execute(submission.run, fullEnumeration: submission.fullEnumeration)
                    } catch {
                        self.logger.error(
                            "Backup run could not be executed",
                            metadata: ["lifeboat.run.id": "\(submission.run.externalID)", "lifeboat.error": "\(error)"])
                    }
                }
            }
        }
    }
}

extension BackupWorker: ScheduledRunStarter {
    /// Queues the scheduler's run of a job; false when the job already has a run queued or running.
    public func startScheduledRun(jobID: UUID, attempt: Int) async throws -> Bool {
        do {
            _ = try await submit(jobID: jobID, scheduledAttempt: attempt)
            return true
        } catch EngineError.jobAlreadyRunning {
            return false
        }
    }
}
