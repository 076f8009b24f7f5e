import BoundedConcurrency
import Catalog
import ChunkStore
import Foundation
import LifeboatModel
import Logging
import M365Graph
import Synchronization

/// Executes backup runs: resolves the job's scope, backs up each drive, makes the content durable,
/// then commits the restore point and the drives' delta links in one transaction.
///
/// Nothing is reported backed up before the repository flushed it; a run that fails before its commit
/// leaves no visible trace (its rows are discarded by the next run of the job).
///
/// Each run is leased to this process from the moment it is queued (see `RunLeaseKeeper`), so that any process can
/// tell it from a run whose process died; starting a job first ends its abandoned runs (`InterruptedRunRecovery`).
public struct BackupRunner: Sendable {
    private let catalog: any CatalogStore
    private let repositories: RepositoryRegistry
    private let connector: any GraphConnector
    private let downloadConcurrency: Int
    private let parallelDrives: Int
    private let leases: RunLeaseKeeper
    private let recovery: InterruptedRunRecovery
    private let notifier: WebhookNotifier?
    private let logger: Logger

    /// Creates a runner.
    /// - Parameters:
    ///   - downloadConcurrency: the most files downloaded at once per drive; within it, the tenant's adaptive
    ///     concurrency (see `CatalogGraphConnector`'s `maxConcurrency`) decides how many transfer at a time, whatever
    ///     the number of drives under way.
    ///   - parallelDrives: drives backed up at once. Each drive's enumeration is sequential (delta pages follow one
    ///     another), so several drives keep Graph, the network and the repository busy while one waits for a page.
    ///   - leases: this process's run leases (a keeper of its own by default; share one between the runners of a process).
    ///   - liveness: how the owners of other runs are judged when a job starts (this machine's processes by default).
    ///   - notifier: told of every run's end once it is recorded (it picks the states it posts).
    public init(
        catalog: any CatalogStore, repositories: RepositoryRegistry, connector: any GraphConnector,
        downloadConcurrency: Int = 16, parallelDrives: Int = 4, leases: RunLeaseKeeper? = nil,
        liveness: RunLiveness = RunLiveness(), notifier: WebhookNotifier? = nil, logger: Logger
    ) {
        self.notifier = notifier
        self.catalog = catalog
        self.repositories = repositories
        self.connector = connector
        self.downloadConcurrency = max(1, downloadConcurrency)
        self.parallelDrives = max(1, parallelDrives)
        let leases = leases ?? RunLeaseKeeper(catalog: catalog, logger: logger)
        self.leases = leases
        self.recovery = InterruptedRunRecovery(
            catalog: catalog, owner: leases.owner, liveness: liveness, leasePolicy: leases.policy, logger: logger)
        self.logger = logger
    }

    /// Creates a queued run row for a job, leased to this process; fails if the job has a run queued or running whose
    /// owner still works on it (runs whose owner died are ended first).
    ///
    /// The run's external id says what it will store: `FB…` (full) for a job's first backup, which stores everything,
    /// `IB…` (incremental) once the job has a committed restore point, since from then on a run stores only what changed
    /// since it, whether it follows the delta links or enumerates every item again (`fullEnumeration`).
    /// - Parameter scheduledAttempt: 1 when the scheduler starts the run, more for its retries; nil when a person or a
    ///   script does.
    public func enqueue(jobID: UUID, fullEnumeration: Bool = false, scheduledAttempt: Int? = nil) async throws -> JobRun {
        guard let job = try await catalog.job(id: jobID) else { throw EngineError.jobNotFound(jobID) }
        try await recovery.endAbandonedRuns(jobID: jobID)
        let incremental = try await !catalog.restorePoints(RestorePointFilter(jobID: jobID)).isEmpty
        let run = JobRun(
            externalID: ExternalJobID.make(
                prefix: incremental ? ExternalJobID.incrementalBackupPrefix : ExternalJobID.backupPrefix),
            jobID: job.id,
            organizationID: job.organizationID, kind: .backup, lease: leases.lease(), scheduledAttempt: scheduledAttempt)
        guard try await catalog.insertRunIfJobIdle(run) else { throw EngineError.jobAlreadyRunning(jobID) }
        await leases.hold(run)
        do {
            try await catalog.updateJobStatus(id: job.id, lastRun: job.lastRun, lastStatus: .queued)
        } catch {
            // Never executed: left to lapse, so that the next start of the job ends it.
            await leases.release(run.id)
            throw error
        }
        return run
    }

    /// Runs a job now and returns the finished run (state `succeeded`, `warning` or `failed`).
    /// - Parameters:
    ///   - fullEnumeration: read every item again instead of following the stored delta links.
    ///   - interruption: where the canceller of this task tells why, for the run's error log.
    public func runNow(
        jobID: UUID, fullEnumeration: Bool = false, interruption: RunInterruption? = nil,
        progress: (@Sendable (BackupProgress) -> Void)? = nil
    ) async throws -> JobRun {
        let run = try await enqueue(jobID: jobID, fullEnumeration: fullEnumeration)
        return try await execute(run, fullEnumeration: fullEnumeration, interruption: interruption, progress: progress)
    }

    /// Executes a queued run to its end. Item failures make the run `warning`; a run that backed up nothing it was
    /// asked for (no user or site of its scope could be opened, the tenant refused the sign-in or could not be reached,
    /// every drive stopped) or anything that prevents the commit makes it `failed` and discards what it wrote.
    ///
    /// Cancelling the task interrupts the run: it ends `failed`, its error log saying it was interrupted (and why, from
    /// `interruption`); what it stored stays in the repository for the next run to reuse, but no restore point is made.
    /// `queued` must come from this runner's `enqueue`, whose lease keeper renews it: should a renewal find that another
    /// process took the run over (its lease had lapsed), the run stops the same way, interrupted.
    /// - Throws: `EngineError.runEndNotRecorded` when the run's end cannot be recorded (a full disk); its lease then
    ///   lapses, and the next start of the job ends it. `CatalogError.leaseLost` when another process ended the run (this
    ///   one was suspended past its lease): nothing of this run was committed or recorded over what that process wrote.
    public func execute(
        _ queued: JobRun, fullEnumeration: Bool = false, interruption: RunInterruption? = nil,
        progress: (@Sendable (BackupProgress) -> Void)? = nil
    ) async throws -> JobRun {
        var found: BackupJob?
        do {
            if let jobID = queued.jobID { found = try await catalog.job(id: jobID) }
        } catch {
            await leases.release(queued.id)
            throw error
        }
        guard let job = found else {
            await leases.release(queued.id)
            throw EngineError.jobNotFound(queued.jobID ?? UUID())
        }
        var logger = logger
        logger[metadataKey: "lifeboat.job.id"] = "\(job.id)"
        logger[metadataKey: "lifeboat.run.id"] = "\(queued.externalID)"

        var run = queued
        run.state = .running
        run.startedAt = Date()
        let errors = RunErrorLog()
        let interruption = interruption ?? RunInterruption()
        let owner = leases.owner.id
        do {
            try await catalog.updateRun(run, leaseOwner: owner)
            try await catalog.updateJobStatus(id: job.id, lastRun: run.startedAt, lastStatus: .running)
            logger.info("Backup run started", metadata: ["lifeboat.job.name": "\(job.name)"])
            // What runs of this job that died left uncommitted (this run is the job's only live one).
            try await catalog.discardUncommittedRuns(jobID: job.id)
            // In a task of its own, so that losing the lease (another process judged the run abandoned and ended it)
            // stops the work: one run of a job at a time, whatever happens to this process.
            let started = run
            let work = Task {
                try await backUp(job, run: started, fullEnumeration: fullEnumeration, errors: errors, progress: progress, logger: logger)
            }
            await leases.onLoss(of: run.id) {
                interruption.record("the loss of its lease (another process ended it)")
                work.cancel()
            }
            run.counters = try await withTaskCancellationHandler { try await work.value } onCancel: { work.cancel() }
            run.state = run.counters.itemsFailed > 0 || !errors.isEmpty ? .warning : .succeeded
        } catch CatalogError.leaseLost(let runID) {
            // Another process ended the run or took it over: what it recorded stands, nothing of this run's end is written.
            await leases.release(run.id)
            logger.warning("Backup run stopped: another process ended it after its lease lapsed")
            throw CatalogError.leaseLost(runID: runID)
        } catch {
            if Task.isCancelled || interruption.reason != nil || error is CancellationError {
                let reason = interruption.reason.map { " by \($0)" } ?? ""
                logger.warning("Backup run interrupted\(reason)")
                errors.append(RunError(
                    message: "The run was interrupted\(reason) before it ended. No restore point was made; what it had stored "
                        + "stays in the repository and the next run reuses it.", itemPath: nil))
            } else {
                logger.error("Backup run failed", metadata: ["lifeboat.error": "\(error)"])
                errors.append(RunError(message: "The run failed: \(error)", itemPath: nil))
            }
            run.state = .failed
        }
        run.endedAt = Date()
        // Not renewed from here on: should the end below not be recorded, the lease lapses and the next start ends the run.
        await leases.release(run.id)
        // In a task of its own, which a cancelled run's cancellation does not reach: the end is recorded all the same.
        let ended = run
        let endErrors = errors.all
        do {
            try await Task { try await record(ended, errors: endErrors, of: job, logger: logger) }.value
        } catch CatalogError.leaseLost(let runID) {
            throw CatalogError.leaseLost(runID: runID)
        } catch {
            throw EngineError.runEndNotRecorded(ended, reason: "\(error)")
        }
        notifier?.notify(run: ended, jobName: job.name, errors: endErrors)
        logger.info(
            "Backup run ended",
            metadata: [
                "lifeboat.run.state": "\(run.state.rawValue)", "lifeboat.run.filesAdded": "\(run.counters.filesAdded)",
                "lifeboat.run.filesChanged": "\(run.counters.filesChanged)", "lifeboat.run.itemsFailed": "\(run.counters.itemsFailed)",
            ])
        return run
    }

    /// Records how the run ended: a failed run's uncommitted restore point discarded, its state, its errors and the
    /// job's status, each attempted even when one before it failed (a full disk may refuse the larger writes and take
    /// the small one); rethrows the first failure.
    ///
    /// Its state is written only while this process holds the run's lease: once another process ended the run (this
    /// one was suspended past its lease), that process's record of the run and the job stands and nothing is written.
    private func record(_ run: JobRun, errors: [RunError], of job: BackupJob, logger: Logger) async throws {
        var failures: [any Error] = []
        func attempt(_ write: () async throws -> Void) async {
            do { try await write() } catch { failures.append(error) }
        }
        await attempt { try await catalog.updateRun(run, leaseOwner: leases.owner.id) }
        if let lost = failures.first as? CatalogError, case .leaseLost = lost {
            logger.warning("The end of the backup run was not recorded: another process ended the run after its lease lapsed")
            throw lost
        }
        if run.state == .failed { await attempt { try await catalog.discardUncommittedRun(jobID: job.id, runID: run.id) } }
        await attempt { try await catalog.appendRunErrors(errors, runID: run.id) }
        let status: JobStatus = switch run.state {
        case .succeeded: .success
        case .warning: .warning
        default: .failed
        }
        await attempt { try await catalog.updateJobStatus(id: job.id, lastRun: run.startedAt, lastStatus: status) }
        if let failure = failures.first {
            logger.error(
                "The end of the backup run could not be recorded; the next start of the job ends it once its lease lapses",
                metadata: ["lifeboat.run.state": "\(run.state.rawValue)", "lifeboat.error": "\(failure)"])
            throw failure
        }
    }

    private func backUp(
        _ job: BackupJob, run: JobRun, fullEnumeration: Bool, errors: RunErrorLog, progress: (@Sendable (BackupProgress) -> Void)?,
        logger: Logger
    ) async throws -> RunCounters {
        guard let organization = try await catalog.organization(id: job.organizationID) else {
            throw EngineError.organizationNotFound(job.organizationID)
        }
        guard let repositoryRecord = try await catalog.repository(id: job.repositoryID) else {
            throw EngineError.repositoryNotFound(job.repositoryID)
        }
        let registration = CatalogRegistration.local(catalogID: try await catalog.identity(), location: catalog.location)
        return try await repositories.withWriteAccess(to: repositoryRecord, purpose: "backup run \(run.externalID)") { access in
            // Under the shared lock, so a prune either sees this catalog registered or runs before it writes anything.
            try await access.repository.catalogs().register(registration)
            return try await backUp(
                job, run: run, organization: organization, repositoryRecord: repositoryRecord, into: access,
                fullEnumeration: fullEnumeration, errors: errors, progress: progress, logger: logger)
        }
    }

    /// The part of a run that writes the repository, under its shared lock.
    private func backUp(
        _ job: BackupJob, run: JobRun, organization: Organization, repositoryRecord: BackupRepository, into access: RepositoryWriteAccess,
        fullEnumeration: Bool, errors: RunErrorLog, progress: (@Sendable (BackupProgress) -> Void)?, logger: Logger
    ) async throws -> RunCounters {
        let graph = try await connector.graph(for: organization)

        let resolved = try await ScopeResolver(graph: graph, organizationID: organization.id).resolve(job.scope)
        errors.append(contentsOf: resolved.errors)
        if resolved.drives.isEmpty, !resolved.errors.isEmpty {
            throw EngineError.nothingBackedUp("none of the users and sites of its scope could be opened")
        }
        var counters = RunCounters()
        counters.itemsFailed += resolved.errors.count

        let point = try await catalog.beginRestorePoint(
            jobID: job.id, runID: run.id, organizationID: organization.id, repositoryID: repositoryRecord.id,
            backupTime: run.startedAt ?? Date(), isOneDrive: resolved.drives.contains { $0.kind == .oneDrive },
            isSharePoint: resolved.drives.contains { $0.kind == .documentLibrary })

        for drive in resolved.drives { try await catalog.upsertDrive(drive) }
        let tally = ProgressTally(base: counters, drivesTotal: resolved.drives.count, report: progress)
        var outcomes = [DriveOutcome?](repeating: nil, count: resolved.drives.count)
        try await runConcurrently(resolved.drives.enumerated(), atMost: parallelDrives) { [catalog, downloadConcurrency, logger] index, drive in
            // A catalog that cannot tell the drive's delta link stops the run, not just the drive.
            let storedDeltaLink = fullEnumeration ? nil : try await catalog.deltaLink(jobID: job.id, driveID: drive.driveID)
            let backup = DriveBackup(
                graph: graph, catalog: catalog, jobID: job.id, repository: access.repository, drive: drive,
                storedDeltaLink: storedDeltaLink, sequence: point.sequence, downloadConcurrency: downloadConcurrency,
                logger: logger, onPage: { await tally.update(index, label: Self.label(of: drive), counters: $0) })
            do {
                let outcome = try await backup.run()
                await tally.finish(index, label: Self.label(of: drive), counters: outcome.counters)
                return (index, DriveOutcome.finished(outcome))
            } catch {
                var failed = RunCounters()
                failed.itemsFailed = 1
                await tally.finish(index, label: Self.label(of: drive), counters: failed)
                return (index, DriveOutcome.stopped(error))
            }
        } onResult: { index, outcome in outcomes[index] = outcome }

        // Merged in the order of the drives, whichever finished first.
        var deltaLinks: [String: String] = [:]
        for (drive, outcome) in zip(resolved.drives, outcomes) {
            switch outcome {
            case .finished(let outcome):
                counters = counters.adding(outcome.counters)
                errors.append(contentsOf: outcome.errors)
                if let link = outcome.deltaLink { deltaLinks[drive.driveID] = link }
            case .stopped(let error):
                errors.append(RunError(message: "Backing up \(Self.label(of: drive)) stopped: \(error)", itemPath: drive.webURL))
                counters.itemsFailed += 1
            case nil:
                break
            }
        }
        // Drives end their files' downloads as failures when the run is cancelled: an interrupted run commits nothing.
        try Task.checkCancellation()
        if !outcomes.isEmpty, outcomes.allSatisfy({ if case .stopped = $0 { true } else { false } }) {
            throw EngineError.nothingBackedUp("the backup of every drive stopped")
        }

        try await access.flush()
        // Refused once another process ended the run (this one was suspended past its lease), in the same transaction.
        try await catalog.commitRestorePoint(id: point.id, deltaLinks: deltaLinks, leaseOwner: leases.owner.id)
        return counters
    }

    /// A run's errors in the order they were met, shared by reference with the task doing the run's work.
    private final class RunErrorLog: Sendable {
        private let errors = Mutex<[RunError]>([])

        var all: [RunError] { errors.withLock { $0 } }
        var isEmpty: Bool { errors.withLock { $0.isEmpty } }

        func append(_ error: RunError) { errors.withLock { $0.append(error) } }
        func append(contentsOf more: [RunError]) { errors.withLock { $0 += more } }
    }

    /// How a drive of the run ended.
    private enum DriveOutcome: Sendable {
        case finished(DriveBackupOutcome)
        case stopped(any Error)
    }

    /// How progress names a drive: `Alice Smith's OneDrive`, `Finance / Documents`.
    private static func label(of drive: ProtectedDrive) -> String {
        drive.ownerDisplayName.map { "\($0)'s OneDrive" } ?? "\(drive.siteTitle ?? "") / \(drive.name)"
    }

    /// The run's counters while drives are backed up side by side: the finished drives' totals plus the latest counters
    /// of each drive under way, reported to `report` whenever a drive finishes a page or ends.
    private actor ProgressTally {
        private var finished: RunCounters
        private var underway: [Int: RunCounters] = [:]
        private var drivesDone = 0
        private let drivesTotal: Int
        private let report: (@Sendable (BackupProgress) -> Void)?

        init(base: RunCounters, drivesTotal: Int, report: (@Sendable (BackupProgress) -> Void)?) {
            self.finished = base
            self.drivesTotal = drivesTotal
            self.report = report
        }

        func update(_ index: Int, label: String, counters: RunCounters) {
            underway[index] = counters
            send(label)
        }

        func finish(_ index: Int, label: String, counters: RunCounters) {
            underway[index] = nil
            finished = finished.adding(counters)
            drivesDone += 1
            send(label)
        }

        private func send(_ label: String) {
            guard let report else { return }
            let counters = underway.values.reduce(finished) { $0.adding($1) }
            report(BackupProgress(drive: label, drivesDone: drivesDone, drivesTotal: drivesTotal, counters: counters))
        }
    }
}

extension RunCounters {
    /// The sum of two sets of counters.
    func adding(_ other: RunCounters) -> RunCounters {
        var sum = self
        sum.drivesProcessed += other.drivesProcessed
        sum.itemsScanned += other.itemsScanned
        sum.filesAdded += other.filesAdded
        sum.filesChanged += other.filesChanged
        sum.itemsRenamedOrMoved += other.itemsRenamedOrMoved
        sum.itemsDeleted += other.itemsDeleted
        sum.foldersProcessed += other.foldersProcessed
        sum.filesUnchanged += other.filesUnchanged
        sum.versionsStored += other.versionsStored
        sum.itemsFailed += other.itemsFailed
        sum.bytesDownloaded += other.bytesDownloaded
        sum.bytesStored += other.bytesStored
        sum.itemsRestored += other.itemsRestored
        sum.itemsSkipped += other.itemsSkipped
        sum.bytesUploaded += other.bytesUploaded
        return sum
    }
}
