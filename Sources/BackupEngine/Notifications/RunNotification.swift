import Foundation
import LifeboatModel

/// What a webhook is told about a run that ended: a one-line `text` that Teams and Slack incoming webhooks show as it
/// is, and the run's facts under `lifeboat` for scripts (Power Automate flows, alerting tools).
public struct RunNotification: Sendable, Hashable, Encodable {
    /// The facts of the run.
    public struct Facts: Sendable, Hashable, Encodable {
        /// Always `run.ended`.
        public var event = "run.ended"
        /// The job's id, nil for restore and export runs.
        public var jobID: UUID?
        /// The job's name (or the kind of run when it has no job).
        public var jobName: String
        /// The run's external id (`FB…`, `IB…`, …).
        public var runID: String
        /// `backup`, `restore` or `export`.
        public var kind: String
        /// The run's final state.
        public var state: String
        /// When the run started and ended.
        public var startedAt: Date?
        public var endedAt: Date?
        /// What the run did.
        public var counters: RunCounters
        /// The first errors of the run's log, at most five.
        public var errors: [String]
    }

    /// One line for people.
    public var text: String
    /// The facts, for scripts.
    public var lifeboat: Facts

    /// The notification of `run`, which ended, of the job named `jobName`, with the first errors of its log.
    public init(run: JobRun, jobName: String, errors: [RunError]) {
        let firstErrors = errors.prefix(5).map { error in (error.itemPath.map { "\($0): " } ?? "") + error.message }
        let counters = run.counters
        var summary = "Lifeboat: \(run.kind.rawValue) '\(jobName)' ended \(run.state.rawValue) (run \(run.externalID))"
        if counters.itemsFailed > 0 { summary += ", \(counters.itemsFailed) item\(counters.itemsFailed == 1 ? "" : "s") failed" }
        if let first = firstErrors.first { summary += ". First error: \(first)" }
        text = summary
        lifeboat = Facts(
            jobID: run.jobID, jobName: jobName, runID: run.externalID, kind: run.kind.rawValue, state: run.state.rawValue,
            startedAt: run.startedAt, endedAt: run.endedAt, counters: counters, errors: Array(firstErrors))
    }
}
