import Foundation
import LifeboatModel

/// Which runs a paged listing of job sessions shows (`GET /v6/JobSessions`, `/v6/Jobs/{id}/JobSessions`).
public struct RunFilter: Sendable, Hashable {
    /// Runs of these kinds; none matches no run.
    public var kinds: Set<JobRunKind>
    /// Only the runs of this job; nil for every job's.
    public var jobID: UUID?
    /// Only runs that ended at or after this instant, and runs that have not ended.
    public var endedAtOrAfter: Date?

    /// Creates a filter.
    public init(kinds: Set<JobRunKind>, jobID: UUID? = nil, endedAtOrAfter: Date? = nil) {
        self.kinds = kinds
        self.jobID = jobID
        self.endedAtOrAfter = endedAtOrAfter
    }
}
