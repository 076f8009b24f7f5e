import Foundation
import LifeboatModel

/// What the scheduler knows of a job: its schedule, where it stands, and how its last scheduled run ended.
public struct ScheduledJob: Sendable, Hashable {
    /// The job.
    public var jobID: UUID
    /// The job's name, for logs.
    public var name: String
    /// Disabled jobs are not started by the scheduler.
    public var isEnabled: Bool
    /// When the job runs by itself.
    public var schedule: BackupSchedule
    /// The organization's time zone, which the schedule's times are read in.
    public var timeZone: TimeZone
    /// Every run due up to this instant has been handled (started, retried or recorded as skipped); at first the job's
    /// creation time. Due runs missed while nothing was scheduling (a stopped server) are one run after it, not several.
    public var scheduledThrough: Date
    /// The latest run the scheduler started for the job, nil before the first.
    public var lastScheduledRun: ScheduledRunOutcome?

    /// Creates the scheduler's view of a job.
    public init(
        jobID: UUID, name: String, isEnabled: Bool, schedule: BackupSchedule, timeZone: TimeZone, scheduledThrough: Date,
        lastScheduledRun: ScheduledRunOutcome? = nil
    ) {
        self.jobID = jobID
        self.name = name
        self.isEnabled = isEnabled
        self.schedule = schedule
        self.timeZone = timeZone
        self.scheduledThrough = scheduledThrough
        self.lastScheduledRun = lastScheduledRun
    }
}

/// How a run the scheduler started stands.
public struct ScheduledRunOutcome: Sendable, Hashable {
    /// The run's state (queued or running while it goes on).
    public var state: JobRunState
    /// When it ended; nil while it goes on.
    public var endedAt: Date?
    /// 1 for a scheduled run, 2 for its first retry, and so on.
    public var attempt: Int

    /// Creates an outcome.
    public init(state: JobRunState, endedAt: Date?, attempt: Int) {
        self.state = state
        self.endedAt = endedAt
        self.attempt = attempt
    }
}

/// Where the scheduler reads jobs and writes what it did; a small repository of its own, so the scheduler is tested
/// without a catalog.
public protocol ScheduleStore: Sendable {
    /// Every job with its schedule and scheduling state.
    func scheduledJobs() async throws -> [ScheduledJob]
    /// Records that every run of the job due up to `instant` has been handled.
    func recordScheduled(jobID: UUID, through instant: Date) async throws
    /// Records that a due run was not started, and why (the previous run still going, the window closed).
    func recordSkip(jobID: UUID, at instant: Date, reason: String) async throws
}

/// Starts the runs the scheduler decides on.
public protocol ScheduledRunStarter: Sendable {
    /// Queues a run of the job as attempt `attempt` (1 for the scheduled run, more for retries).
    /// - Returns: false when the job already has a run queued or running (nothing was started).
    func startScheduledRun(jobID: UUID, attempt: Int) async throws -> Bool
}
