import Foundation

/// Which service a restore session explores.
public enum RestoreSessionKind: String, Sendable, Hashable, Codable {
    case oneDrive
    case sharePoint
    case exchange
    case teams
}

/// A browsable view of one organization's backups at a point in time, opened by `explore`.
public struct RestoreSession: Sendable, Hashable, Codable {
    /// Working sessions can be browsed and restored from; stopped ones cannot.
    public enum State: String, Sendable, Hashable, Codable {
        case working
        case stopped
    }

    /// How the session's work went so far.
    public enum Result: String, Sendable, Hashable, Codable {
        case success
        case warning
        case failed
    }

    /// Lifeboat's id of the session.
    public var id: UUID
    /// The organization explored.
    public var organizationID: UUID
    /// The job explored, when opened from a job.
    public var jobID: UUID?
    /// The service explored.
    public var kind: RestoreSessionKind
    /// The point in time asked for.
    public var requestedTime: Date
    /// The sequence of the restore point it resolved to; `nil` when the time precedes every backup (no data).
    public var restorePointSequence: Int64?
    /// Show items deleted before the point in time.
    public var showDeleted: Bool
    /// Show every version up to the point in time.
    public var showAllVersions: Bool
    /// Working or stopped.
    public var state: State
    /// Success, warning or failed.
    public var result: Result
    /// Who opened it.
    public var initiatedBy: String
    /// Session name (`OneDrive restore (Job: Daily - 1/22/2022 2:56:55 PM)`).
    public var name: String
    /// When it was opened.
    public var createdAt: Date
    /// When it was stopped.
    public var endedAt: Date?

    /// Creates a restore session record.
    public init(
        id: UUID = UUID(), organizationID: UUID, jobID: UUID?, kind: RestoreSessionKind, requestedTime: Date,
        restorePointSequence: Int64?, showDeleted: Bool, showAllVersions: Bool, state: State = .working,
        result: Result = .success, initiatedBy: String, name: String, createdAt: Date = Date(), endedAt: Date? = nil
    ) {
        self.id = id
        self.organizationID = organizationID
        self.jobID = jobID
        self.kind = kind
        self.requestedTime = requestedTime
        self.restorePointSequence = restorePointSequence
        self.showDeleted = showDeleted
        self.showAllVersions = showAllVersions
        self.state = state
        self.result = result
        self.initiatedBy = initiatedBy
        self.name = name
        self.createdAt = createdAt
        self.endedAt = endedAt
    }
}

/// One thing that happened in a restore session (an item restored, skipped or failed).
public struct RestoreSessionEvent: Sendable, Hashable, Codable {
    /// Outcome of the event.
    public enum Status: String, Sendable, Hashable, Codable {
        case running, success, warning, failed, cancelled, skipped
    }

    /// Lifeboat's id of the event.
    public var id: UUID
    /// The session it belongs to.
    public var sessionID: UUID
    /// Position in the session's event list.
    public var order: Int
    /// Restore, export, view...
    public var type: String
    /// Outcome.
    public var status: Status
    /// Short title.
    public var title: String
    /// Details.
    public var message: String
    /// Item name, path, type and size, when the event is about an item.
    public var itemName: String?
    public var itemType: String?
    public var itemSizeBytes: Int64?
    /// Where the item came from and where it went.
    public var source: String?
    public var target: String?
    /// When it started and ended.
    public var startTime: Date
    public var endTime: Date?

    /// Creates an event.
    public init(
        id: UUID = UUID(), sessionID: UUID, order: Int, type: String, status: Status, title: String, message: String,
        itemName: String? = nil, itemType: String? = nil, itemSizeBytes: Int64? = nil, source: String? = nil,
        target: String? = nil, startTime: Date = Date(), endTime: Date? = nil
    ) {
        self.id = id
        self.sessionID = sessionID
        self.order = order
        self.type = type
        self.status = status
        self.title = title
        self.message = message
        self.itemName = itemName
        self.itemType = itemType
        self.itemSizeBytes = itemSizeBytes
        self.source = source
        self.target = target
        self.startTime = startTime
        self.endTime = endTime
    }
}
