import BackupEngine
import Catalog
import Foundation
import LifeboatModel
import LifeboatTestSupport
import Logging
import M365Simulator
import ServiceLifecycle
import Testing

@Suite("Scheduled backups through the catalog: due runs start on the worker, skips and retries are in the job's history")
struct ScheduledBackupTests {
    @Test("schedules, time zones and scheduled attempts are stored; skips stay out of the latest scheduled run")
    func catalogRoundTrip() async throws {
        try await TemporaryCatalog.with { catalog in
            let organization = Organization(
                name: "contoso", tenantID: "t", clientID: "c", loginBaseURL: "http://x", graphBaseURL: "http://x/v1.0")
            try await catalog.insertOrganization(organization)
            try await catalog.setOrganizationTimeZone(id: organization.id, identifier: "Europe/Berlin")
            #expect(try await catalog.organization(id: organization.id)?.timeZone.identifier == "Europe/Berlin")
            let repository = BackupRepository(name: "main", location: "/tmp/nowhere")
            try await catalog.insertRepository(repository)
            let nightly = BackupSchedule(
                trigger: .daily(days: .workdays, time: try #require(TimeOfDay(hour: 22, minute: 30))),
                window: BackupWindow(days: Set(1...7), fromHour: 20, toHour: 6), retry: RetryPolicy(count: 2, waitMinutes: 15))
            let job = BackupJob(
                organizationID: organization.id, repositoryID: repository.id, name: "nightly", scope: .entireOrganization,
                schedule: nightly)
            try await catalog.insertJob(job)
            #expect(try await catalog.job(id: job.id)?.schedule == nightly)
            #expect(try await catalog.job(id: job.id)?.scheduledThrough == nil)

            let edited = Date.iso8601("2026-12-07T10:00:00Z")
            try await catalog.updateJobSchedule(id: job.id, schedule: .manualOnly, now: edited)
            #expect(try await catalog.job(id: job.id)?.schedule == .manualOnly)
            #expect(try await catalog.job(id: job.id)?.scheduledThrough == edited)
            try await catalog.setJobEnabled(id: job.id, false, now: edited.addingTimeInterval(60))
            #expect(try await catalog.job(id: job.id)?.isEnabled == false)
            #expect(try await catalog.job(id: job.id)?.scheduledThrough == edited.addingTimeInterval(60))

            let scheduled = JobRun(
                externalID: "IB1", jobID: job.id, organizationID: organization.id, kind: .backup, state: .failed,
                createdAt: edited, endedAt: edited, scheduledAttempt: 2)
            try await catalog.insertRun(scheduled)
            let store = CatalogScheduleStore(catalog: catalog)
            try await store.recordSkip(jobID: job.id, at: edited.addingTimeInterval(120), reason: "the previous run was still going")
            #expect(try await catalog.latestScheduledRun(jobID: job.id)?.id == scheduled.id)
            #expect(try await catalog.latestScheduledRun(jobID: job.id)?.scheduledAttempt == 2)
            let skip = try #require(try await catalog.runs(jobID: job.id).first { $0.state == .skipped })
            #expect(skip.externalID.hasPrefix("SK"))
            #expect(try await catalog.runErrors(runID: skip.id).map(\.message) == ["the previous run was still going"])
        }
    }

    @Test("a periodic job runs on its worker when due, once for several missed slots, and a due run beside a live one is skipped")
    func scheduledRunsOnTheWorker() async throws {
        try await BackupFixture.with { fixture in
            let catalog = fixture.catalog
            let created = try #require(try await catalog.job(id: fixture.job.id))
            try await catalog.updateJobSchedule(
                id: created.id, schedule: BackupSchedule(trigger: .periodically(interval: .hours1, offsetMinutes: 0)),
                now: .iso8601("2026-12-07T09:30:00Z"))
            let worker = BackupWorker(runner: fixture.runner, logger: .quiet("ScheduledBackupTests"))
            let services = ServiceGroup(
                configuration: .init(services: [worker], gracefulShutdownSignals: [], logger: .quiet("ScheduledBackupTests")))
            let running = Task { try await services.run() }
            defer { running.cancel() }
            let scheduler = JobScheduler(
                store: CatalogScheduleStore(catalog: catalog), starter: worker,
                clock: ManualWallClock(start: .iso8601("2026-12-07T09:30:00Z")), logger: .quiet("ScheduledBackupTests"))

            // Not due yet.
            #expect(await scheduler.pass(at: .iso8601("2026-12-07T09:59:00Z")) == .iso8601("2026-12-07T10:00:00Z"))
            #expect(try await catalog.runs(jobID: created.id).isEmpty)
            // Three slots missed (10:00, 11:00, 12:00): one run.
            await scheduler.pass(at: .iso8601("2026-12-07T12:10:00Z"))
            let first = try #require(try await catalog.runs(jobID: created.id).first)
            #expect(first.scheduledAttempt == 1)
            // Due again at 13:00 while the first may still be going: started or recorded skipped, never doubled.
            await scheduler.pass(at: .iso8601("2026-12-07T13:00:00Z"))
            let afterSecondSlot = try await catalog.runs(jobID: created.id)
            #expect(afterSecondSlot.count == 2)
            #expect(afterSecondSlot.filter { $0.state == .queued || $0.state == .running }.count <= 1)

            // The worker finishes what it started: a restore point appears for a succeeded scheduled run.
            var ended: [JobRun] = []
            for _ in 0..<600 {
                ended = try await catalog.runs(jobID: created.id).filter { $0.endedAt != nil && $0.state != .skipped }
                if !ended.isEmpty, try await catalog.runs(jobID: created.id).allSatisfy({ $0.endedAt != nil }) { break }
                try await Task.sleep(for: .milliseconds(100))
            }
            #expect(ended.contains { $0.state == .succeeded && $0.scheduledAttempt == 1 })
            #expect(try await !catalog.restorePoints(RestorePointFilter(jobID: created.id)).isEmpty)
            #expect(try await catalog.job(id: created.id)?.scheduledThrough == .iso8601("2026-12-07T13:00:00Z"))
            await services.triggerGracefulShutdown()
            _ = await running.result
        }
    }
}
