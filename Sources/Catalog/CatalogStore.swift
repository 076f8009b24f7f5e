import Foundation
import LifeboatModel

/// Filters of `GET /v6/RestorePoints` (seed 003); every field is optional.
public struct RestorePointFilter: Sendable, Hashable {
    public var organizationID: UUID?
    public var jobID: UUID?
    public var repositoryID: UUID?
    /// Only restore points whose backup time is strictly after this instant.
    public var backupTimeAfter: Date?

    /// Creates a filter.
    public init(organizationID: UUID? = nil, jobID: UUID? = nil, repositoryID: UUID? = nil, backupTimeAfter: Date? = nil) {
        self.organizationID = organizationID
        self.jobID = jobID
        self.repositoryID = repositoryID
        self.backupTimeAfter = backupTimeAfter
    }
}

/// How a point-in-time listing treats history.
public struct PointInTimeOptions: Sendable, Hashable {
    /// Also return items that existed before the point in time but were deleted by it (their last state).
    public var showDeleted: Bool
    /// Return every state of each item up to the point in time (including historical Graph versions), not just the one valid at it.
    public var showAllVersions: Bool

    /// Creates options; both off by default.
    public init(showDeleted: Bool = false, showAllVersions: Bool = false) {
        self.showDeleted = showDeleted
        self.showAllVersions = showAllVersions
    }
}

/// A message of a run's errors with how many times it happened (AvePoint's `jobErrors`).
public struct RunErrorSummary: Sendable, Hashable {
    public var message: String
    public var count: Int

    /// Creates a summary line.
    public init(message: String, count: Int) {
        self.message = message
        self.count = count
    }
}

/// Credentials of a principal as stored: a salted slow hash of the password or client secret.
public struct StoredCredential: Sendable, Hashable {
    public var principal: Principal
    /// PHC-style string of the hash (algorithm, parameters, salt, digest); never the secret itself.
    public var secretHash: String

    /// Creates a stored credential.
    public init(principal: Principal, secretHash: String) {
        self.principal = principal
        self.secretHash = secretHash
    }
}

/// Everything Lifeboat persists about its organizations, jobs, runs, restore points and item versions.
///
/// Implementations are safe to share between tasks. Every write that must be atomic is one method.
/// Restore points are invisible until committed: item versions written by a run that never commits
/// are ignored by every point-in-time query and removed by `discardUncommittedRuns`. Item versions belong to one
/// job each, so two jobs protecting the same drive never see each other's rows.
public protocol CatalogStore: RunLeaseStore {
    // MARK: Organizations, repositories, jobs
    func insertOrganization(_ organization: Organization) async throws
    func organizations() async throws -> [Organization]
    func organization(id: UUID) async throws -> Organization?
    /// Stores the organization's Graph client secret (encrypted at rest with the catalog's key).
    func setGraphSecret(_ secret: String, organizationID: UUID) async throws
    /// Reads the organization's Graph client secret back.
    func graphSecret(organizationID: UUID) async throws -> String?
    /// Sets the IANA time zone an organization's schedules are read in.
    func setOrganizationTimeZone(id: UUID, identifier: String) async throws

    func insertRepository(_ repository: BackupRepository) async throws
    /// Sets how long a repository's restore points are kept (nil: forever).
    func setRepositoryRetention(id: UUID, _ policy: RetentionPolicy?) async throws
    /// Expires the job's points older than `cutoff` (never its newest, nor one an open restore session uses, nor any
    /// after that) and deletes the item versions no kept point holds; with `dryRun`, only counts.
    func applyRetention(jobID: UUID, expiringBefore cutoff: Date, now: Date, dryRun: Bool) async throws -> RetentionOutcome
    func repositories() async throws -> [BackupRepository]
    func repository(id: UUID) async throws -> BackupRepository?

    /// Inserts a backup job; throws `CatalogError.alreadyExists` when another job has its name (checked atomically).
    func insertJob(_ job: BackupJob) async throws
    func jobs() async throws -> [BackupJob]
    func job(id: UUID) async throws -> BackupJob?
    /// Records the start time and status of a job's latest run.
    func updateJobStatus(id: UUID, lastRun: Date?, lastStatus: JobStatus) async throws
    /// Replaces a job's schedule; its due runs are counted from `now`.
    func updateJobSchedule(id: UUID, schedule: BackupSchedule, now: Date) async throws
    /// Enables or disables a job; enabling counts its due runs from `now`.
    func setJobEnabled(id: UUID, _ enabled: Bool, now: Date) async throws
    /// Records that every scheduled run of the job due up to `instant` was handled.
    func setJobScheduledThrough(id: UUID, _ instant: Date) async throws

    // MARK: Runs
    func insertRun(_ run: JobRun) async throws
    func run(id: UUID) async throws -> JobRun?
    func run(externalID: String) async throws -> JobRun?
    /// Runs of a job, newest first.
    func runs(jobID: UUID) async throws -> [JobRun]
    /// The latest run the scheduler started for a job (a first attempt or a retry), or nil.
    func latestScheduledRun(jobID: UUID) async throws -> JobRun?
    /// Runs of the given kinds in the given states, of every organization, oldest first.
    func runs(kinds: Set<JobRunKind>, states: Set<JobRunState>) async throws -> [JobRun]
    /// The page of the runs `filter` admits, newest (by creation time) first, skipping `offset` and returning at most
    /// `limit`; selected by the database, so a page costs its own size in memory whatever the history's length.
    func runs(_ filter: RunFilter, offset: Int, limit: Int) async throws -> [JobRun]
    /// How many runs `filter` admits.
    func countRuns(_ filter: RunFilter) async throws -> Int
    /// Replaces state, times and counters of a run; with `leaseOwner`, only while that owner holds the run's lease and
    /// the run is queued or running, atomically.
    /// - Throws: `CatalogError.leaseLost` when `leaseOwner` no longer holds the run (another process ended or claimed
    ///   it); `CatalogError.notFound` for an unknown run.
    func updateRun(_ run: JobRun, leaseOwner: UUID?) async throws
    /// Runs of the given kinds and states for an organization (e.g. running restore/export jobs for the 429 rule).
    func countRuns(organizationID: UUID, kinds: Set<JobRunKind>, states: Set<JobRunState>) async throws -> Int
    /// Inserts a run unless `limit` runs of `kinds` are already queued or running for its organization (atomic check).
    /// - Returns: whether the run was inserted.
    func insertRun(_ run: JobRun, ifFewerActiveThan limit: Int, kinds: Set<JobRunKind>) async throws -> Bool
    /// Inserts a run of a job unless the job has a run queued or running (atomic check).
    /// - Returns: whether the run was inserted.
    func insertRunIfJobIdle(_ run: JobRun) async throws -> Bool
    /// Appends errors to a run's log.
    func appendRunErrors(_ errors: [RunError], runID: UUID) async throws
    /// A run's errors in the order they happened.
    func runErrors(runID: UUID) async throws -> [RunError]
    /// A run's errors grouped by message, most frequent first.
    func runErrorSummary(runID: UUID) async throws -> [RunErrorSummary]

    // MARK: Drives and delta links
    /// Inserts or updates what is known of a drive.
    func upsertDrive(_ drive: ProtectedDrive) async throws
    func drives(organizationID: UUID) async throws -> [ProtectedDrive]
    func drive(id driveID: String) async throws -> ProtectedDrive?
    /// The delta link a job stored for a drive with its last committed restore point.
    func deltaLink(jobID: UUID, driveID: String) async throws -> String?

    // MARK: Restore points
    /// Allocates the next restore point sequence for a run; the point stays invisible until committed.
    func beginRestorePoint(
        jobID: UUID, runID: UUID, organizationID: UUID, repositoryID: UUID, backupTime: Date,
        isOneDrive: Bool, isSharePoint: Bool
    ) async throws -> RestorePoint
    /// Makes a restore point visible and stores the drives' new delta links, in one transaction; with `leaseOwner`, only
    /// while that owner holds the lease of the point's run and the run is queued or running, checked in the same transaction.
    /// - Throws: `CatalogError.leaseLost` when `leaseOwner` no longer holds the run; nothing is committed then.
    func commitRestorePoint(id: UUID, deltaLinks: [String: String], leaseOwner: UUID?) async throws
    /// Removes uncommitted restore points of a job (a crashed or failed run) and everything they wrote.
    func discardUncommittedRuns(jobID: UUID) async throws
    /// Removes the uncommitted restore points of one run of a job and everything they wrote (a run whose owner died),
    /// leaving those of any other run of the job alone.
    func discardUncommittedRun(jobID: UUID, runID: UUID) async throws
    /// Committed restore points matching the filter, newest first.
    func restorePoints(_ filter: RestorePointFilter) async throws -> [RestorePoint]
    func restorePoint(id: UUID) async throws -> RestorePoint?
    /// The committed restore point with this sequence number (sequences are unique across the catalog), or `nil`.
    func restorePoint(sequence: Int64) async throws -> RestorePoint?
    /// The latest committed restore point (of the job, or of any job of the organization) taken at or before `time`.
    func latestRestorePoint(organizationID: UUID, jobID: UUID?, notAfter time: Date) async throws -> RestorePoint?

    // MARK: Item versions (temporal)
    // Every row belongs to one backup job: jobs never share rows, even for the same drive, so a job's restore points
    // reference only content in that job's repository. `sequence` is always one of the job's restore points.

    /// The current (open, non-historical) rows the job holds for the given items of a drive, keyed by item id,
    /// including rows opened by the job's uncommitted run in progress.
    func currentItems(jobID: UUID, driveID: String, itemIDs: [String]) async throws -> [String: ItemVersion]
    /// Closes the job's current rows of `closing` items (validTo = `sequence`) and inserts `rows` for the job, in one
    /// transaction. Throws `CatalogError` when `sequence` is not a restore point of `jobID`.
    /// Historical rows (`isHistorical`) never close anything.
    func recordItemVersions(_ rows: [ItemVersion], closing: [String], jobID: UUID, driveID: String, sequence: Int64) async throws
    /// Ids of the items of a drive that are current (open) in the job as of now; for reconciling a full re-enumeration.
    func openItemIDs(jobID: UUID, driveID: String) async throws -> [String]

    // MARK: Identity

    /// Where the catalog lives, for people (a file path).
    var location: String { get }

    /// This catalog's id, made once, the first time it is asked for: it names the catalog in the repositories it
    /// records backups in, so that a prune run from another installation knows this one keeps content there.
    func identity() async throws -> UUID

    // MARK: Enumeration ledger
    // What a drive's enumeration in progress has met, kept here rather than in memory so that a drive of millions of
    // items costs a backup no more memory than one page: each item met once, with how the run counted it (an opaque
    // tally, so that an item listed again replaces its count instead of adding one) and the pass that last met it (a
    // full pass tells which current items it never met). Scratch state of one run, keyed by its restore point
    // `sequence`: cleared when the drive's enumeration ends, and with the run's point when it is discarded.

    /// Forgets what the run at `sequence` noted for the drive.
    func clearEnumerationLedger(sequence: Int64, driveID: String) async throws
    /// The tallies the run at `sequence` recorded for those of `itemIDs` it met and counted, keyed by item id.
    func enumerationTallies(sequence: Int64, driveID: String, itemIDs: [String]) async throws -> [String: String]
    /// Records that `pass` of the run at `sequence` met each item of `entries`, with its tally (nil: met, counted
    /// nowhere); replaces what an earlier meeting recorded.
    func recordEnumerationEntries(_ entries: [String: String?], pass: Int, sequence: Int64, driveID: String) async throws
    /// Up to `limit` ids of the job's current items of the drive (as `openItemIDs`) that `pass` of the run at `sequence`
    /// did not meet, in id order, after `afterItemID` when given: page by passing the last id of the previous page.
    func currentItemIDs(
        notMetInPass pass: Int, sequence: Int64, jobID: UUID, driveID: String, after afterItemID: String?, limit: Int
    ) async throws -> [String]
    /// The items of a drive as the job saw them at its restore point `sequence` (committed rows only).
    func items(jobID: UUID, driveID: String, at sequence: Int64, options: PointInTimeOptions) async throws -> [ItemVersion]
    /// The children of a folder as the job saw them at its restore point `sequence`.
    func children(
        jobID: UUID, driveID: String, parentID: String, at sequence: Int64, options: PointInTimeOptions
    ) async throws -> [ItemVersion]
    /// One item's state as the job saw it at its restore point `sequence`.
    func item(jobID: UUID, driveID: String, itemID: String, at sequence: Int64) async throws -> ItemVersion?
    /// The drive's root folder as the job saw it at restore point `sequence`; `nil` when that point does not hold the drive.
    func rootItem(jobID: UUID, driveID: String, at sequence: Int64) async throws -> ItemVersion?
    /// Every state of an item the job stored up to restore point `sequence`, oldest first (historical Graph versions
    /// included).
    func history(jobID: UUID, driveID: String, itemID: String, upTo sequence: Int64) async throws -> [ItemVersion]
    /// The known drives the job holds at its restore point `sequence` (it has a committed row of the drive visible
    /// then), by name then drive id; one indexed probe per known drive.
    func drives(jobID: UUID, at sequence: Int64) async throws -> [ProtectedDrive]

    /// A page (by row id, after `afterRowID`) of the rows of every job writing to a repository that locate content in
    /// it; walking all pages lists every manifest the catalog references there.
    func contentRows(repositoryID: UUID, afterRowID: Int64, limit: Int) async throws -> [ItemVersion]

    // MARK: Restore sessions
    func insertRestoreSession(_ session: RestoreSession) async throws
    func restoreSession(id: UUID) async throws -> RestoreSession?
    func restoreSessions() async throws -> [RestoreSession]
    func updateRestoreSession(_ session: RestoreSession) async throws
    /// Appends events after each session's existing ones; the catalog assigns their positions, in the order given.
    func appendRestoreSessionEvents(_ events: [RestoreSessionEvent]) async throws
    func restoreSessionEvents(sessionID: UUID) async throws -> [RestoreSessionEvent]
    /// One page of a session's events by their order.
    func restoreSessionEvents(sessionID: UUID, offset: Int, limit: Int) async throws -> [RestoreSessionEvent]
    func restoreSessionEventCount(sessionID: UUID) async throws -> Int
    func restoreSessionEvent(id: UUID, sessionID: UUID) async throws -> RestoreSessionEvent?

    // MARK: Principals and tokens
    func insertPrincipal(_ credential: StoredCredential) async throws
    func credential(name: String) async throws -> StoredCredential?
    func principal(id: UUID) async throws -> Principal?
    /// Every principal (users and applications), by name.
    func principals() async throws -> [Principal]
    func insertToken(_ token: IssuedToken) async throws
    /// A token that is known and not expired at `now`.
    func validToken(hash: String, now: Date) async throws -> IssuedToken?
    func deleteToken(hash: String) async throws
}

extension CatalogStore {
    /// Replaces state, times and counters of a run, whoever holds its lease.
    public func updateRun(_ run: JobRun) async throws {
        try await updateRun(run, leaseOwner: nil)
    }

    /// Makes a restore point visible and stores the drives' new delta links, whoever holds its run's lease.
    public func commitRestorePoint(id: UUID, deltaLinks: [String: String]) async throws {
        try await commitRestorePoint(id: id, deltaLinks: deltaLinks, leaseOwner: nil)
    }
}
