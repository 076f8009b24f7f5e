import Foundation
import LifeboatModel
import Logging
import ServiceLifecycle

/// Starts backup runs when their jobs' schedules say so; a service of `lifeboat serve`.
///
/// Each pass reads every job (`ScheduleStore`) and, for each enabled one:
/// - a run due since the job was last handled starts once, however many were missed while nothing was scheduling
///   (a server stopped over a weekend runs the job once when it comes back, not once per missed slot);
/// - a due run is not started, and the skip is recorded, when the job's previous run is still going or when the
///   schedule's window is closed by the time the missed run is noticed;
/// - a scheduled run that ended failed or with warnings is started again after the retry policy's wait, up to its count
///   (retries continue a run that started inside the window, so they do not wait for it).
/// Enabling a job or changing its schedule must set its `scheduledThrough` to that moment (the catalog does), so that
/// a job disabled for a month does not run the moment it is enabled.
public struct JobScheduler: Service {
    /// What the scheduler decided for one job at one instant.
    public enum Decision: Sendable, Hashable {
        /// Nothing to do before `until` (nil: nothing will ever be due).
        case wait(until: Date?)
        /// Start attempt `attempt` (1 for a scheduled run, more for a retry).
        case start(attempt: Int)
        /// A due run is not started, for `reason`.
        case skip(reason: String)
    }

    private let store: any ScheduleStore
    private let starter: any ScheduledRunStarter
    private let clock: any WallClock
    private let pollInterval: TimeInterval
    private let logger: Logger

    /// Creates a scheduler.
    /// - Parameter pollInterval: the longest it waits between passes, so that new and edited jobs are seen.
    public init(
        store: any ScheduleStore, starter: any ScheduledRunStarter, clock: any WallClock = SystemWallClock(),
        pollInterval: TimeInterval = 30, logger: Logger
    ) {
        self.store = store
        self.starter = starter
        self.clock = clock
        self.pollInterval = pollInterval
        self.logger = logger
    }

    /// Runs passes until graceful shutdown or cancellation, sleeping until the next due run or the poll interval.
    public func run() async throws {
        try await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                let now = clock.now()
                let next = await pass(at: now)
                let wake = min(next ?? .distantFuture, now.addingTimeInterval(pollInterval))
                do {
                    try await clock.sleep(until: wake)
                } catch is CancellationError {
                    return
                }
            }
        }
    }

    /// Handles every job at `now`; returns the earliest instant something may be due next, nil when none.
    /// Errors of one job are logged and leave the others unaffected.
    @discardableResult
    public func pass(at now: Date) async -> Date? {
        let jobs: [ScheduledJob]
        do {
            jobs = try await store.scheduledJobs()
        } catch {
            logger.error("The scheduler could not read the jobs", metadata: ["lifeboat.error": "\(error)"])
            return nil
        }
        var earliest: Date?
        for job in jobs where job.isEnabled {
            let decision = Self.decide(job, now: now)
            do {
                if let next = try await act(on: decision, for: job, now: now) {
                    earliest = min(earliest ?? next, next)
                }
            } catch {
                logger.error(
                    "The scheduler could not handle a job",
                    metadata: ["lifeboat.job.id": "\(job.jobID)", "lifeboat.error": "\(error)"])
            }
        }
        return earliest
    }

    /// Carries out `decision`; returns when the job may next be due.
    private func act(on decision: Decision, for job: ScheduledJob, now: Date) async throws -> Date? {
        var logger = logger
        logger[metadataKey: "lifeboat.job.id"] = "\(job.jobID)"
        logger[metadataKey: "lifeboat.job.name"] = "\(job.name)"
        switch decision {
        case .wait(let until):
            return until
        case .start(let attempt):
            if try await starter.startScheduledRun(jobID: job.jobID, attempt: attempt) {
                logger.info(attempt == 1 ? "Scheduled run started" : "Retry started", metadata: ["lifeboat.run.attempt": "\(attempt)"])
            } else {
                let reason = "The run due at \(Self.format(now)) was skipped: the job's previous run was still going."
                try await store.recordSkip(jobID: job.jobID, at: now, reason: reason)
                logger.warning("Scheduled run skipped: the previous run is still going")
            }
        case .skip(let reason):
            try await store.recordSkip(jobID: job.jobID, at: now, reason: reason)
            logger.warning("Scheduled run skipped", metadata: ["lifeboat.reason": "\(reason)"])
        }
        try await store.recordScheduled(jobID: job.jobID, through: now)
        return ScheduleCalendar(schedule: job.schedule, timeZone: job.timeZone).nextRun(after: now)
    }

    /// What to do about `job` at `now`; pure, so every rule is tested without a store.
    public static func decide(_ job: ScheduledJob, now: Date) -> Decision {
        let calendar = ScheduleCalendar(schedule: job.schedule, timeZone: job.timeZone)
        let due = calendar.nextRun(after: job.scheduledThrough)
        if let due, due <= now {
            guard calendar.windowAllows(now) else {
                return .skip(
                    reason: "The run due at \(format(due)) was missed while Lifeboat was not scheduling, and the backup window "
                        + "is closed now; the next run is at the next allowed time.")
            }
            return .start(attempt: 1)
        }
        if let retryAt = retryInstant(job), job.scheduledThrough < retryAt {
            if retryAt <= now, let last = job.lastScheduledRun { return .start(attempt: last.attempt + 1) }
            return .wait(until: min(retryAt, due ?? retryAt))
        }
        return .wait(until: due)
    }

    /// When the job's last scheduled run is to be tried again, if its outcome and the retry policy call for it.
    private static func retryInstant(_ job: ScheduledJob) -> Date? {
        guard let policy = job.schedule.retry, let last = job.lastScheduledRun, let ended = last.endedAt,
            last.state == .failed || last.state == .warning, last.attempt <= policy.count
        else { return nil }
        return ended.addingTimeInterval(Double(policy.waitMinutes) * 60)
    }

    private static func format(_ instant: Date) -> String {
        instant.formatted(.iso8601)
    }
}
