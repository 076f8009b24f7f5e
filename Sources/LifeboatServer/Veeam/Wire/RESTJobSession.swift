import Foundation
import LifeboatModel

/// `RESTJobSession`: one run of a backup job, with its statistics.
///
/// `retryCount` is how many times the scheduler had tried the run before this attempt (0 for a first attempt and for a
/// run a person started); `progress` is 100 once the run has ended and 0
/// before (Lifeboat does not know a run's size ahead of it). A run that has not ended has .NET's `DateTime.MaxValue`
/// as `endTime`, as Veeam writes for open sessions.
struct RESTJobSession: Encodable, Sendable {
    var id: String
    var details: String
    var creationTime: Date
    var endTime: String
    var retryCount: Int
    var progress: Int
    /// `Stopped`, `Running`, `Success`, `Failed`, `Warning` or `Queued`.
    var status: String
    var statistics: RESTJobStatistics
    var _links: [String: RESTLink]

    /// The wire form of a backup run; `skipReason` is why a skipped run was skipped (its recorded error), when known.
    init(_ run: JobRun, skipReason: String? = nil) {
        let id = run.id.veeamID
        self.id = id
        self.creationTime = run.createdAt
        self.endTime = run.endedAt.map(JSONResponse.timestamp) ?? RESTRestoreSession.openEndTime
        self.retryCount = max(0, (run.scheduledAttempt ?? 1) - 1)
        self.progress = run.endedAt == nil ? 0 : 100
        self.status = Self.status(run.state)
        let counters = run.counters
        self.details =
            run.state == .skipped
            ? "Skipped: \(skipReason ?? "the scheduled run was due while the job could not start") (job session \(run.externalID))"
            : "\(counters.itemsScanned) items scanned, \(counters.filesAdded + counters.filesChanged) files stored, "
                + "\(counters.itemsFailed) failed (job session \(run.externalID))"
        self.statistics = RESTJobStatistics(run)
        var links = ["self": RESTLink(href: "/v6/JobSessions/\(id)")]
        if let jobID = run.jobID { links["job"] = RESTLink(href: "/v6/Jobs/\(jobID.veeamID)") }
        self._links = links
    }

    /// Veeam's status of a run's state.
    static func status(_ state: JobRunState) -> String {
        switch state {
        case .queued: JobStatus.queued.rawValue
        case .running: JobStatus.running.rawValue
        case .succeeded: JobStatus.success.rawValue
        case .warning: JobStatus.warning.rawValue
        case .failed: JobStatus.failed.rawValue
        // Veeam has no status for a scheduled run that was skipped; its session's details say why.
        case .stopped, .skipped: JobStatus.stopped.rawValue
        }
    }
}

/// `RESTJobStatistics`: what a run moved, and how fast over its whole duration.
struct RESTJobStatistics: Encodable, Sendable {
    var processingRateBytesPS: Int64
    var processingRateItemsPS: Int64
    var readRateBytesPS: Int64
    var writeRateBytesPS: Int64
    var transferredDataBytes: Int64
    var processedObjects: Int64
    /// `NA`: Lifeboat does not detect bottlenecks.
    var bottleneck: String

    /// The statistics of a run; rates are 0 before it has run for a second.
    init(_ run: JobRun) {
        let counters = run.counters
        let seconds = run.startedAt.map { ((run.endedAt ?? Date()).timeIntervalSince($0)).rounded(.down) } ?? 0
        func rate(_ amount: Int64) -> Int64 { seconds >= 1 ? Int64(Double(amount) / seconds) : 0 }
        self.processingRateBytesPS = rate(counters.bytesDownloaded)
        self.processingRateItemsPS = rate(Int64(counters.itemsScanned))
        self.readRateBytesPS = rate(counters.bytesDownloaded)
        self.writeRateBytesPS = rate(counters.bytesStored)
        self.transferredDataBytes = counters.bytesDownloaded
        self.processedObjects = Int64(counters.itemsScanned)
        self.bottleneck = "NA"
    }
}
