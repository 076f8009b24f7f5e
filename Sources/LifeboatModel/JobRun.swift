import Foundation

/// What kind of work a run performs.
public enum JobRunKind: String, Sendable, Hashable, Codable {
    case backup
    case restore
    case export
}

/// Life cycle of a run.
public enum JobRunState: String, Sendable, Hashable, Codable {
    case queued
    case running
    /// Finished and every item succeeded.
    case succeeded
    /// Finished, but some items failed ("Finished with Exception").
    case warning
    /// The run itself could not complete.
    case failed
    case stopped
    /// A scheduled run that was due but not started (the job's previous run was still going, or the window was closed);
    /// its errors say why.
    case skipped
}

/// Counts of what a run did. Every number is a count of something that really happened.
public struct RunCounters: Sendable, Hashable, Codable {
    /// Drives (OneDrives and document libraries) enumerated.
    public var drivesProcessed: Int = 0
    /// Files and folders seen in delta pages.
    public var itemsScanned: Int = 0
    /// Files whose content was new to the catalog.
    public var filesAdded: Int = 0
    /// Files whose content changed since the previous restore point.
    public var filesChanged: Int = 0
    /// Files or folders whose name or parent changed without a content change.
    public var itemsRenamedOrMoved: Int = 0
    /// Files and folders that disappeared from the tenant.
    public var itemsDeleted: Int = 0
    /// Folders recorded (new or changed).
    public var foldersProcessed: Int = 0
    /// Files unchanged since the previous restore point (not downloaded).
    public var filesUnchanged: Int = 0
    /// Earlier Graph versions stored.
    public var versionsStored: Int = 0
    /// Items that failed; each has an entry in the run's errors.
    public var itemsFailed: Int = 0
    /// Bytes downloaded from Graph.
    public var bytesDownloaded: Int64 = 0
    /// Bytes of new (not deduplicated) content written to the repository, before compression.
    public var bytesStored: Int64 = 0
    /// Items restored or exported (restore/export runs); folders included.
    public var itemsRestored: Int = 0
    /// Items skipped (restore runs: unresolved targets or `keep` without conflict handling; backup runs: files deleted
    /// between their listing and their download, 404/410, which are no failure).
    public var itemsSkipped: Int = 0
    /// Bytes uploaded to Graph (restore runs).
    public var bytesUploaded: Int64 = 0
    /// Bytes of file content put into an archive (export runs).
    public var bytesExported: Int64 = 0

    /// Creates zeroed counters.
    public init() {}

    /// Decodes counters; a counter missing from the stored JSON (written before it existed) is zero.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        func count<Value: Decodable & AdditiveArithmetic>(_ key: CodingKeys, _: Value.Type) throws -> Value {
            try container.decodeIfPresent(Value.self, forKey: key) ?? .zero
        }
        drivesProcessed = try count(.drivesProcessed, Int.self)
        itemsScanned = try count(.itemsScanned, Int.self)
        filesAdded = try count(.filesAdded, Int.self)
        filesChanged = try count(.filesChanged, Int.self)
        itemsRenamedOrMoved = try count(.itemsRenamedOrMoved, Int.self)
        itemsDeleted = try count(.itemsDeleted, Int.self)
        foldersProcessed = try count(.foldersProcessed, Int.self)
        filesUnchanged = try count(.filesUnchanged, Int.self)
        versionsStored = try count(.versionsStored, Int.self)
        itemsFailed = try count(.itemsFailed, Int.self)
        bytesDownloaded = try count(.bytesDownloaded, Int64.self)
        bytesStored = try count(.bytesStored, Int64.self)
        itemsRestored = try count(.itemsRestored, Int.self)
        itemsSkipped = try count(.itemsSkipped, Int.self)
        bytesUploaded = try count(.bytesUploaded, Int64.self)
        bytesExported = try count(.bytesExported, Int64.self)
    }
}

/// One failure recorded by a run; the same message repeated is counted, not duplicated.
public struct RunError: Sendable, Hashable, Codable {
    /// What went wrong, in words an admin can act on.
    public var message: String
    /// The item it happened to (a path such as `Alice's OneDrive/Docs/a.docx`), if any.
    public var itemPath: String?
    /// When it happened.
    public var occurredAt: Date

    /// Creates an error record.
    public init(message: String, itemPath: String?, occurredAt: Date = Date()) {
        self.message = message
        self.itemPath = itemPath
        self.occurredAt = occurredAt
    }
}

/// One execution of a backup job, or one restore/export job.
public struct JobRun: Sendable, Hashable, Codable {
    /// Lifeboat's id of the run.
    public var id: UUID
    /// External id in AvePoint's format (`FB20241015105312327583`, `IB...`), unique.
    public var externalID: String
    /// The backup job, for backup runs.
    public var jobID: UUID?
    /// The organization the run works on.
    public var organizationID: UUID
    /// What the run does.
    public var kind: JobRunKind
    /// Where it is in its life cycle.
    public var state: JobRunState
    /// When it was created (queued).
    public var createdAt: Date
    /// When it started running.
    public var startedAt: Date?
    /// When it ended.
    public var endedAt: Date?
    /// What it did.
    public var counters: RunCounters
    /// For restore/export runs: the request as JSON, so a worker can execute it.
    public var request: String?
    /// Who works on the run while it is queued or running, and until when; nil for runs recorded before owners were.
    public var lease: RunLease?
    /// 1 for a run the scheduler started, 2 and more for its retries; nil for a run a person or a script started.
    public var scheduledAttempt: Int?

    /// Creates a run.
    public init(
        id: UUID = UUID(), externalID: String, jobID: UUID?, organizationID: UUID, kind: JobRunKind,
        state: JobRunState = .queued, createdAt: Date = Date(), startedAt: Date? = nil, endedAt: Date? = nil,
        counters: RunCounters = RunCounters(), request: String? = nil, lease: RunLease? = nil, scheduledAttempt: Int? = nil
    ) {
        self.scheduledAttempt = scheduledAttempt
        self.id = id
        self.externalID = externalID
        self.jobID = jobID
        self.organizationID = organizationID
        self.kind = kind
        self.state = state
        self.createdAt = createdAt
        self.startedAt = startedAt
        self.endedAt = endedAt
        self.counters = counters
        self.request = request
        self.lease = lease
    }
}
