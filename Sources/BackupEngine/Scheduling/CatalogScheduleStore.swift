import Catalog
import Foundation
import LifeboatModel

/// The scheduler's store over the catalog: jobs with their schedules, their organizations' time zones and their
/// latest scheduled runs; skips recorded as runs of state `skipped` whose error says why, so a job's history shows them.
public struct CatalogScheduleStore: ScheduleStore {
    private let catalog: any CatalogStore

    /// Creates the store over `catalog`.
    public init(catalog: any CatalogStore) {
        self.catalog = catalog
    }

    /// Every job with a schedule (manual-only jobs are left out), with its organization's time zone.
    public func scheduledJobs() async throws -> [ScheduledJob] {
        let jobs = try await catalog.jobs().filter { $0.schedule != .manualOnly }
        guard !jobs.isEmpty else { return [] }
        let zones = Dictionary(uniqueKeysWithValues: try await catalog.organizations().map { ($0.id, $0.timeZone) })
        var scheduled: [ScheduledJob] = []
        for job in jobs {
            let last = try await catalog.latestScheduledRun(jobID: job.id)
            scheduled.append(
                ScheduledJob(
                    jobID: job.id, name: job.name, isEnabled: job.isEnabled, schedule: job.schedule,
                    timeZone: zones[job.organizationID] ?? TimeZone(secondsFromGMT: 0)!,
                    scheduledThrough: job.scheduledThrough ?? job.createdAt,
                    lastScheduledRun: last.map {
                        ScheduledRunOutcome(state: $0.state, endedAt: $0.endedAt, attempt: $0.scheduledAttempt ?? 1)
                    }))
        }
        return scheduled
    }

    /// Records that the job's due runs up to `instant` were handled.
    public func recordScheduled(jobID: UUID, through instant: Date) async throws {
        try await catalog.setJobScheduledThrough(id: jobID, instant)
    }

    /// Records a skipped run in the job's history, its error saying why.
    public func recordSkip(jobID: UUID, at instant: Date, reason: String) async throws {
        guard let job = try await catalog.job(id: jobID) else { throw EngineError.jobNotFound(jobID) }
        let run = JobRun(
            externalID: ExternalJobID.make(prefix: ExternalJobID.skippedPrefix, date: instant), jobID: jobID,
            organizationID: job.organizationID, kind: .backup, state: .skipped, createdAt: instant, endedAt: instant)
        try await catalog.insertRun(run)
        try await catalog.appendRunErrors([RunError(message: reason, itemPath: nil, occurredAt: instant)], runID: run.id)
    }
}
