import Foundation

/// How long a repository keeps restore points (snapshot-based retention, Veeam's `SnapshotBased`): a point older than
/// the period expires, except the newest point of each job; item versions that no kept point holds are then deleted,
/// and prune frees their content.
public struct RetentionPolicy: Sendable, Hashable, Codable {
    /// How long points are kept.
    public enum Period: Sendable, Hashable, Codable {
        case days(Int)
        case months(Int)
        case years(Int)
        /// Nothing expires.
        case forever
    }

    /// How long points are kept.
    public var keep: Period

    /// Creates a policy; nil when the period is not a positive number of its unit.
    public init?(keep: Period) {
        switch keep {
        case .days(let count), .months(let count), .years(let count):
            guard count > 0, count <= 100_000 else { return nil }
        case .forever:
            break
        }
        self.keep = keep
    }

    /// The instant before which points expire at `now` (calendar arithmetic in UTC); nil when nothing expires.
    public func cutoff(at now: Date) -> Date? {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(secondsFromGMT: 0)!
        switch keep {
        case .days(let count): return calendar.date(byAdding: .day, value: -count, to: now)
        case .months(let count): return calendar.date(byAdding: .month, value: -count, to: now)
        case .years(let count): return calendar.date(byAdding: .year, value: -count, to: now)
        case .forever: return nil
        }
    }

    /// The period in words (`30 days`, `7 years`, `forever`).
    public var summary: String {
        switch keep {
        case .days(let count): "\(count) day\(count == 1 ? "" : "s")"
        case .months(let count): "\(count) month\(count == 1 ? "" : "s")"
        case .years(let count): "\(count) year\(count == 1 ? "" : "s")"
        case .forever: "forever"
        }
    }
}

/// What retention did, or would do, to one job's restore points.
public struct RetentionOutcome: Sendable, Hashable {
    /// The job.
    public var jobID: UUID
    /// Points that expired (or would).
    public var pointsExpired: Int
    /// Item version rows deleted (or that would be), historical versions included.
    public var versionsRemoved: Int
    /// Their content's size in bytes, before deduplication: an upper bound of what prune can free.
    public var bytesRemoved: Int64
    /// The backup time of the oldest point kept, nil when the job has none.
    public var oldestKept: Date?
    /// A point retention left alone although it is old, because a restore session uses it (it and every newer point stay).
    public var heldBySession: Bool

    /// Creates an outcome.
    public init(
        jobID: UUID, pointsExpired: Int = 0, versionsRemoved: Int = 0, bytesRemoved: Int64 = 0, oldestKept: Date? = nil,
        heldBySession: Bool = false
    ) {
        self.jobID = jobID
        self.pointsExpired = pointsExpired
        self.versionsRemoved = versionsRemoved
        self.bytesRemoved = bytesRemoved
        self.oldestKept = oldestKept
        self.heldBySession = heldBySession
    }
}
