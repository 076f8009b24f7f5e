import Catalog
import ChunkStore
import Foundation
import LifeboatModel
import Logging
import M365Graph

/// Executes restore jobs: reads item versions at their restore points, recreates missing folders in the tenant and
/// uploads each file's content (last version, or every version oldest first) with the requested conflict policy.
///
/// Every item's outcome is counted in the run's counters, failures are logged as run errors, and when the request came
/// through a Veeam restore session each item becomes one event of that session. Item failures never stop the job.
public struct RestoreRunner: Sendable {
    private let catalog: any CatalogStore
    private let repositories: RepositoryRegistry
    private let connector: any GraphConnector
    private let limits: RestoreLimits
    private let jobIDs: ExternalIDSequence
    private let leases: RunLeaseKeeper
    private let recovery: InterruptedRunRecovery
    private let logger: Logger

    /// Creates a runner.
    /// - Parameters:
    ///   - leases: this process's run leases (a keeper of its own by default; share one between the runners of a process).
    ///   - liveness: how the owners of other jobs are judged at admission (this machine's processes by default).
    public init(
        catalog: any CatalogStore, repositories: RepositoryRegistry, connector: any GraphConnector,
        limits: RestoreLimits = RestoreLimits(), leases: RunLeaseKeeper? = nil, liveness: RunLiveness = RunLiveness(),
        logger: Logger
    ) {
        self.catalog = catalog
        self.repositories = repositories
        self.connector = connector
        self.limits = limits
        self.jobIDs = ExternalIDSequence()
        let leases = leases ?? RunLeaseKeeper(catalog: catalog, logger: logger)
        self.leases = leases
        self.recovery = InterruptedRunRecovery(
            catalog: catalog, owner: leases.owner, liveness: liveness, leasePolicy: leases.policy, logger: logger)
        self.logger = logger
    }

    /// Creates the queued run of a restore (or export) job.
    ///
    /// Admission and insertion are one catalog transaction: when the organization already has
    /// `limits.activeJobsPerOrganization` restore or export jobs queued or running, nothing is written. Jobs whose
    /// owner died are ended first, so they hold no slot; the new job is leased to this process.
    /// - Throws: `EngineError.tooManyRestoreJobs`, `EngineError.organizationNotFound`.
    public func enqueue(_ request: RestoreRequest, kind: JobRunKind = .restore) async throws -> JobRun {
        guard try await catalog.organization(id: request.organizationID) != nil else {
            throw EngineError.organizationNotFound(request.organizationID)
        }
        try await recovery.endAbandonedRestoreJobs(organizationID: request.organizationID)
        let prefix = kind == .export ? ExternalJobID.exportPrefix : ExternalJobID.restorePrefix
        let run = JobRun(
            externalID: await jobIDs.next(prefix: prefix), jobID: nil, organizationID: request.organizationID, kind: kind,
            request: String(decoding: try JSONEncoder().encode(request), as: UTF8.self), lease: leases.lease())
        let admitted = try await catalog.insertRun(
            run, ifFewerActiveThan: limits.activeJobsPerOrganization, kinds: [.restore, .export])
        guard admitted else { throw EngineError.tooManyRestoreJobs(limit: limits.activeJobsPerOrganization) }
        await leases.hold(run)
        return run
    }

    /// Admits an export job (same limit as restores) and returns its archive, which runs the job while it is read.
    /// - Throws: `EngineError.tooManyRestoreJobs`, `EngineError.organizationNotFound`.
    public func export(_ request: RestoreRequest) async throws -> ExportArchive {
        let run = try await enqueue(request, kind: .export)
        return ExportArchive(
            run: run, request: request, catalog: catalog, repositories: repositories, leases: leases, logger: logger)
    }

    /// Queues and executes a restore job now; returns the finished run.
    public func runNow(_ request: RestoreRequest) async throws -> JobRun {
        try await execute(try await enqueue(request))
    }

    /// Executes a queued restore run to its end: `succeeded` when every item was restored or skipped, `warning` when
    /// some failed, `failed` when no file could be restored or the job itself could not go on. A drive that cannot be
    /// restored at all (gone from the catalog, its repository unreadable, Graph refusing it) fails its own items and the
    /// job moves on to the next drive. The run is always ended in the catalog, so it never holds an admission slot.
    ///
    /// `queued` must come from this runner's `enqueue`, whose lease keeper renews it: should another process end the job
    /// (its lease lapsed while this process was suspended), the restore stops writing to the tenant and records nothing
    /// of its end over what that process recorded.
    /// - Throws: `CatalogError.leaseLost` when another process ended the job; a catalog error when its end cannot be
    ///   recorded.
    public func execute(_ queued: JobRun) async throws -> JobRun {
        var logger = logger
        logger[metadataKey: "lifeboat.run.id"] = "\(queued.externalID)"
        var run = queued
        run.state = .running
        run.startedAt = Date()
        let owner = leases.owner.id
        let journal = RestoreJournal(catalog: catalog, runID: run.id, kind: run.kind)
        do {
            try await catalog.updateRun(run, leaseOwner: owner)
            logger.info("Restore job started")
            // In a task of its own, so that losing the lease stops the uploads: the job is no longer this process's.
            let work = Task { [logger] in try await restoreSelections(of: queued, journal: journal, logger: logger) }
            await leases.onLoss(of: run.id) { work.cancel() }
            try await withTaskCancellationHandler { try await work.value } onCancel: { work.cancel() }
            run.counters = await journal.counters
            run.state = Self.finalState(
                run.counters, filesCameBack: await journal.filesCameBack, filesFailed: await journal.filesFailed)
        } catch CatalogError.leaseLost(let runID) {
            await leases.release(run.id)
            logger.warning("Restore job not started: another process ended it")
            throw CatalogError.leaseLost(runID: runID)
        } catch {
            logger.error("Restore job failed", metadata: ["lifeboat.error": "\(error)"])
            await journal.recordJobFailure("\(error)")
            run.counters = await journal.counters
            run.state = .failed
        }
        do {
            try await journal.flush()
        } catch {
            logger.error("Restore job's errors and events could not be written", metadata: ["lifeboat.error": "\(error)"])
            run.state = .failed
        }
        run.endedAt = Date()
        // Not renewed from here on: should the end below not be recorded, the lease lapses and the job can be ended.
        await leases.release(run.id)
        do {
            try await catalog.updateRun(run, leaseOwner: owner)
        } catch CatalogError.leaseLost(let runID) {
            logger.warning("The end of the restore job was not recorded: another process ended it after its lease lapsed")
            throw CatalogError.leaseLost(runID: runID)
        }
        try? await journal.finishSession(state: run.state)
        logger.info(
            "Restore job ended",
            metadata: [
                "lifeboat.run.state": "\(run.state.rawValue)", "lifeboat.items.restored": "\(run.counters.itemsRestored)",
                "lifeboat.items.failed": "\(run.counters.itemsFailed)", "lifeboat.items.skipped": "\(run.counters.itemsSkipped)",
            ])
        return run
    }

    /// Restores every selection of the job's request, recording each item's outcome in `journal`; a drive that cannot
    /// be restored fails its own items and the next drive follows.
    private func restoreSelections(of run: JobRun, journal: RestoreJournal, logger: Logger) async throws {
        guard let text = run.request, let request = try? JSONDecoder().decode(RestoreRequest.self, from: Data(text.utf8))
        else { throw EngineError.invalidRestoreRequest("the job carries no readable request") }
        guard let organization = try await catalog.organization(id: request.organizationID) else {
            throw EngineError.organizationNotFound(request.organizationID)
        }
        await journal.attach(sessionID: request.restoreSessionID)
        let graph = try await connector.graph(for: organization)
        for selection in request.selections {
            try Task.checkCancellation()
            do {
                try await SelectionSource.withLock(
                    on: selection, catalog: catalog, repositories: repositories, purpose: "restore run \(run.externalID)"
                ) {
                    let drive = try await DriveRestore.prepare(
                        selection, request: request, catalog: catalog, repositories: repositories, graph: graph,
                        limits: limits, journal: journal, logger: logger)
                    try await drive.run()
                }
            } catch let error where !(error is CancellationError) {
                logger.error("A drive could not be restored", metadata: ["lifeboat.drive.id": "\(selection.driveID)", "lifeboat.error": "\(error)"])
                try await journal.record(
                    RestoreOutcome(
                        status: .failed(message: "Drive \(selection.driveID) could not be restored: \(error)"),
                        sourcePath: selection.driveID, targetPath: nil, name: selection.driveID, isFolder: false, size: 0,
                        startTime: Date()))
            }
        }
    }

    /// `failed` when no file came back though some were tried (the folders recreated for them do not make it a
    /// partial success), `warning` when some came back and some failed.
    private static func finalState(_ counters: RunCounters, filesCameBack: Int, filesFailed: Int) -> JobRunState {
        guard counters.itemsFailed > 0 else { return .succeeded }
        if filesFailed > 0, filesCameBack == 0 { return .failed }
        return counters.itemsRestored + counters.itemsSkipped > 0 ? .warning : .failed
    }
}

/// Bounds of restore work.
public struct RestoreLimits: Sendable, Hashable {
    /// Restore and export jobs an organization may have queued or running at once (AvePoint answers 429 beyond it).
    public var activeJobsPerOrganization: Int
    /// Files uploaded at once per folder.
    public var uploadConcurrency: Int
    /// Files up to this size go in one request; larger ones through an upload session.
    public var simpleUploadLimit: Int
    /// Bytes per upload-session fragment; rounded down to a multiple of 320 KiB.
    public var fragmentSize: Int

    /// Creates limits; the defaults follow Graph's guidance (simple uploads up to 4 MiB, fragments of 10 × 320 KiB).
    public init(
        activeJobsPerOrganization: Int = 3, uploadConcurrency: Int = 4, simpleUploadLimit: Int = 4 * 1024 * 1024,
        fragmentSize: Int = 10 * UploadSession.fragmentQuantum
    ) {
        self.activeJobsPerOrganization = max(1, activeJobsPerOrganization)
        self.uploadConcurrency = max(1, uploadConcurrency)
        self.simpleUploadLimit = max(0, simpleUploadLimit)
        self.fragmentSize = max(1, fragmentSize / UploadSession.fragmentQuantum) * UploadSession.fragmentQuantum
    }
}

/// Hands out strictly increasing external job ids in this process (restore ids carry 1/10,000 s, so two jobs created
/// in the same tenth of a millisecond would otherwise collide).
actor ExternalIDSequence {
    private var lastByPrefix: [String: String] = [:]

    func next(prefix: String, now: Date = Date()) -> String {
        var date = now
        var id = ExternalJobID.make(prefix: prefix, date: date, fractionDigits: 4)
        while let last = lastByPrefix[prefix], id <= last {
            date = date.addingTimeInterval(0.0001)
            id = ExternalJobID.make(prefix: prefix, date: date, fractionDigits: 4)
        }
        lastByPrefix[prefix] = id
        return id
    }
}
