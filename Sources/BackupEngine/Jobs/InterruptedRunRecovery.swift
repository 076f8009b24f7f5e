import Catalog
import Foundation
import LifeboatModel
import Logging

/// Ends the runs whose owner is gone (killed, crashed, its machine lost), so their jobs can run again, and leaves alone
/// the runs another live process is working on.
///
/// Which runs are abandoned is `RunLiveness`'s call. Each is first claimed (a compare-and-set on its lease, so of two
/// processes recovering at once only one ends it, and an owner that renewed meanwhile keeps it), then ended `failed`
/// with the reason in its error log. A backup run's uncommitted restore point is discarded: what a run had not committed
/// was never reported backed up. Anyone starting a job calls it for that job first; `serve` calls it for every run
/// at start-up.
public struct InterruptedRunRecovery: Sendable {
    private let catalog: any CatalogStore
    private let owner: RunOwner
    private let liveness: RunLiveness
    private let leasePolicy: RunLeasePolicy
    private let logger: Logger

    /// Creates the recovery over a catalog.
    /// - Parameters:
    ///   - owner: who claims the runs it ends (this process by default; a runner passes its lease keeper's owner).
    ///   - liveness: how owners are judged (this machine's processes by default).
    public init(
        catalog: any CatalogStore, owner: RunOwner = .currentProcess(), liveness: RunLiveness = RunLiveness(),
        leasePolicy: RunLeasePolicy = .default, logger: Logger
    ) {
        self.catalog = catalog
        self.owner = owner
        self.liveness = liveness
        self.leasePolicy = leasePolicy
        self.logger = logger
    }

    /// Ends every abandoned run, backup, restore and export alike; returns how many it ended.
    @discardableResult
    public func recover(now: Date = Date()) async throws -> Int {
        var ended = 0
        for job in try await catalog.jobs() {
            ended += try await endAbandonedRuns(jobID: job.id, now: now)
        }
        ended += try await endAbandonedRestoreJobs(organizationID: nil, now: now)
        return ended
    }

    /// Ends the job's abandoned backup runs and discards what they had not committed; returns how many it ended.
    @discardableResult
    public func endAbandonedRuns(jobID: UUID, now: Date = Date()) async throws -> Int {
        let active = try await catalog.runs(jobID: jobID).filter { $0.state == .queued || $0.state == .running }
        var ended = 0
        for run in active {
            guard let reason = liveness.abandonment(of: run, now: now), try await claim(run, now: now) else { continue }
            try await catalog.discardUncommittedRun(jobID: jobID, runID: run.id)
            try await end(
                run, now: now,
                message: "The run was interrupted: \(reason). Nothing it had not committed is kept; the next run backs it up.")
            if let job = try await catalog.job(id: jobID) {
                try await catalog.updateJobStatus(id: jobID, lastRun: job.lastRun, lastStatus: .failed)
            }
            ended += 1
        }
        return ended
    }

    /// Ends the abandoned restore and export jobs of the organization (of every organization when nil), which would
    /// otherwise hold its admission slots forever; returns how many it ended.
    @discardableResult
    public func endAbandonedRestoreJobs(organizationID: UUID?, now: Date = Date()) async throws -> Int {
        var ended = 0
        for run in try await catalog.runs(kinds: [.restore, .export], states: [.queued, .running])
        where organizationID == nil || run.organizationID == organizationID {
            guard let reason = liveness.abandonment(of: run, now: now), try await claim(run, now: now) else { continue }
            try await end(
                run, now: now,
                message: "The job was interrupted: \(reason). Items it had restored stay restored; run it again for the rest.")
            ended += 1
        }
        return ended
    }

    /// Takes the run over from its dead owner; false when another process did first, or its owner renewed meanwhile.
    private func claim(_ run: JobRun, now: Date) async throws -> Bool {
        try await catalog.claimRun(
            id: run.id, expecting: run.lease, lease: RunLease(owner: owner, expiresAt: leasePolicy.expiry(from: now)))
    }

    private func end(_ run: JobRun, now: Date, message: String) async throws {
        var ended = run
        ended.state = .failed
        ended.endedAt = now
        try await catalog.appendRunErrors([RunError(message: message, itemPath: nil, occurredAt: now)], runID: run.id)
        // Claimed above: refused only should a third process have claimed it since (its lease lapsed in between).
        try await catalog.updateRun(ended, leaseOwner: owner.id)
        logger.warning(
            "Ended an abandoned \(run.kind.rawValue) run",
            metadata: ["lifeboat.run.id": "\(run.externalID)", "lifeboat.run.reason": "\(message)"])
    }
}
