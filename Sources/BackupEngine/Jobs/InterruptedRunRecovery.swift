import Catalog
import Foundation
import LifeboatModel
import Logging

/// Ends the runs a previous process left queued or running (it crashed or was killed), so their jobs can run again.
///
/// Their uncommitted restore points are discarded: what a run had not committed was never reported backed up.
/// Call it once at start-up, before any worker of this catalog starts runs (one node per catalog until work leases arrive).
public struct InterruptedRunRecovery: Sendable {
    private let catalog: any CatalogStore
    private let logger: Logger

    /// Creates the recovery over a catalog.
    public init(catalog: any CatalogStore, logger: Logger) {
        self.catalog = catalog
        self.logger = logger
    }

    /// Marks every queued or running backup run as failed and discards what it wrote, and ends queued or running restore
    /// and export jobs; returns how many runs it ended.
    @discardableResult
    public func recover(now: Date = Date()) async throws -> Int {
        var ended = 0
        for job in try await catalog.jobs() {
            let interrupted = try await catalog.runs(jobID: job.id).filter { $0.state == .queued || $0.state == .running }
            guard !interrupted.isEmpty else { continue }
            try await catalog.discardUncommittedRuns(jobID: job.id)
            for var run in interrupted {
                run.state = .failed
                run.endedAt = now
                try await catalog.appendRunErrors(
                    [RunError(message: "The run was interrupted: Lifeboat stopped before it ended. Nothing it had not committed is kept.", itemPath: nil, occurredAt: now)],
                    runID: run.id)
                try await catalog.updateRun(run)
                ended += 1
                logger.warning(
                    "Ended an interrupted backup run", metadata: ["lifeboat.job.id": "\(job.id)", "lifeboat.run.id": "\(run.externalID)"])
            }
            try await catalog.updateJobStatus(id: job.id, lastRun: job.lastRun, lastStatus: .failed)
        }
        // Restore and export jobs left queued or running would also hold their organization's admission slots forever.
        for var run in try await catalog.runs(kinds: [.restore, .export], states: [.queued, .running]) {
            run.state = .failed
            run.endedAt = now
            try await catalog.appendRunErrors(
                [RunError(message: "The job was interrupted: Lifeboat stopped before it ended. Items it had restored stay restored; run it again for the rest.", itemPath: nil, occurredAt: now)],
                runID: run.id)
            try await catalog.updateRun(run)
            ended += 1
            logger.warning("Ended an interrupted \(run.kind.rawValue) job", metadata: ["lifeboat.run.id": "\(run.externalID)"])
        }
        return ended
    }
}
