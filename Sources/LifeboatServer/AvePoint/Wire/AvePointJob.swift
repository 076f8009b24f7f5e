import Catalog
import Foundation
import LifeboatModel

/// The `data` of `GET /backup/m365/cloudbackupjobs/{jobId}`: a backup or restore run as AvePoint reports a job.
///
/// - `state`: queued and running → `In Progress`; succeeded → `Finished`; warning (some items failed) →
///   `Finished with Exception`; failed → `Failed`; stopped → `Failed` too (AvePoint has no stopped state, and a
///   stopped run kept nothing: a stopped backup commits no restore point).
/// - `startTime`/`finishTime`: ISO 8601 UTC to the second (`2024-12-02T07:52:25Z`); `null` until the run starts, and
///   `finishTime` `null` until it ends.
/// - `duration`: hours with three decimals (`"0.011"`), from start to end, or to now while the run is in progress;
///   `"0.000"` before it starts.
struct AvePointJob: Encodable, Sendable {
    var id: String
    var state: String
    var startTime: String?
    var finishTime: String?
    var duration: String
    var backupDetails: AvePointBackupDetails
    var jobErrors: [AvePointJobError]

    enum CodingKeys: String, CodingKey {
        case id, state, startTime, finishTime, duration, backupDetails, jobErrors
    }

    /// The job for a run, with its errors grouped by message; `now` bounds the duration of a run still in progress.
    init(_ run: JobRun, errors: [RunErrorSummary], now: Date = Date()) {
        self.id = run.externalID
        self.state = Self.label(run.state)
        self.startTime = run.startedAt.map(Self.time)
        self.finishTime = run.endedAt.map(Self.time)
        let seconds = run.startedAt.map { max(0, (run.endedAt ?? now).timeIntervalSince($0)) } ?? 0
        self.duration = String(format: "%.3f", seconds / 3600)
        self.backupDetails = AvePointBackupDetails(run)
        self.jobErrors = errors.map(AvePointJobError.init)
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(state, forKey: .state)
        try container.encode(startTime, forKey: .startTime)
        try container.encode(finishTime, forKey: .finishTime)
        try container.encode(duration, forKey: .duration)
        try container.encode(backupDetails, forKey: .backupDetails)
        try container.encode(jobErrors, forKey: .jobErrors)
    }

    /// AvePoint's job-state label of a run state.
    static func label(_ state: JobRunState) -> String {
        switch state {
        case .queued, .running: "In Progress"
        case .succeeded: "Finished"
        case .warning: "Finished with Exception"
        case .failed, .stopped: "Failed"
        // AvePoint has no label for a run that never started; nothing was backed up, as with a failed one.
        case .skipped: "Failed"
        }
    }

    /// `yyyy-MM-ddTHH:mm:ssZ` in UTC, the fraction dropped.
    static func time(_ date: Date) -> String {
        Date(timeIntervalSince1970: date.timeIntervalSince1970.rounded(.down)).formatted(Date.ISO8601FormatStyle())
    }
}
