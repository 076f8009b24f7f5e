import Catalog
import Foundation
import LifeboatModel
import LifeboatTestSupport
import Testing

@testable import lifeboat

/// `lifeboat job add|edit|list|history` and `organization edit --time-zone` as an admin runs them: what they store and
/// what they print.
@Suite("lifeboat job schedules, history and the organization's time zone", .serialized)
struct JobScheduleCommandTests {
    /// An installation with an organization registered offline (`--skip-check`) and a repository, for `body`.
    static func withOrganization(_ body: (CLIInstallation) async throws -> Void) async throws {
        let installation = try CLIInstallation.empty()
        defer { installation.remove() }
        _ = try await installation.run(
            [
                "organization", "add", "--name", "contoso", "--tenant-id", "t", "--client-id", "c",
                "--login-url", "http://127.0.0.1:9", "--graph-url", "http://127.0.0.1:9/v1.0", "--skip-check",
            ], environment: ["LIFEBOAT_GRAPH_CLIENT_SECRET": "s3cret"])
        _ = try await installation.run(["repo", "init", "vault"])
        try await body(installation)
    }

    @Test("organization edit --time-zone stores an IANA time zone and refuses anything else, naming the option")
    func timeZone() async throws {
        try await Self.withOrganization { installation in
            let refused = await installation.failure(["organization", "edit", "contoso", "--time-zone", "Europe/Berlinn"])
            #expect(refused.contains("--time-zone 'Europe/Berlinn' is not an IANA time zone") && refused.contains("Europe/Berlin"), "\(refused)")
            let edited = try await installation.run(["organization", "edit", "contoso", "--time-zone", "Europe/Berlin"])
            #expect(edited.contains("now uses time zone Europe/Berlin"), "\(edited)")
            let stored = try await installation.withCatalog { try await $0.organizations().first?.timeZoneIdentifier }
            #expect(stored == "Europe/Berlin")
            #expect(try await installation.run(["organization", "list"]).contains("Europe/Berlin"))
        }
    }

    @Test("job add and job edit store the schedule the options describe; job list shows it in words, enabled or not, with the next run in the organization's time zone")
    func scheduleRoundTrip() async throws {
        try await Self.withOrganization { installation in
            _ = try await installation.run(["organization", "edit", "contoso", "--time-zone", "Europe/Berlin"])
            let add = ["job", "add", "--organization", "contoso", "--all-users"]
            let added = try await installation.run(
                add + ["--name", "nightly", "--daily", "22:00", "--days", "workdays", "--window", "mon-fri 20-06", "--retries", "2", "--retry-wait", "15"])
            #expect(added.contains("Job 'nightly': daily at 22:00 on workdays, window mon-fri 20-06, 2 retries 15 minutes apart, enabled"), "\(added)")
            let nightly = try await installation.job(named: "nightly")
            #expect(
                nightly.schedule
                    == BackupSchedule(
                        trigger: .daily(days: .workdays, time: try #require(TimeOfDay(hour: 22, minute: 0))),
                        window: BackupWindow(days: [2, 3, 4, 5, 6], fromHour: 20, toHour: 6), retry: RetryPolicy(count: 2, waitMinutes: 15)))

            let never = await installation.failure(add + ["--name", "noon", "--daily", "12:00", "--window", "mon-fri 20-06"])
            #expect(never.contains("No run could ever start: --daily 12:00 on every day"), "\(never)")
            let badInterval = await installation.failure(add + ["--name", "odd", "--every", "7m"])
            #expect(badInterval.contains("--every takes"), "\(badInterval)")
            _ = try await installation.run(add + ["--name", "by-hand"])
            #expect(try await installation.withCatalog { try await $0.jobs() }.map(\.name) == ["by-hand", "nightly"], "refused jobs are not stored")
            let manualWindow = await installation.failure(["job", "edit", "by-hand", "--window", "mon-fri 20-06"])
            #expect(manualWindow.contains("runs only when someone starts it"), "\(manualWindow)")

            _ = try await installation.run(["job", "edit", "nightly", "--every", "4h", "--offset", "30"])
            var edited = try await installation.job(named: "nightly")
            #expect(edited.schedule.trigger == .periodically(interval: .hours4, offsetMinutes: 30))
            #expect(edited.schedule.window == nightly.schedule.window && edited.schedule.retry == nightly.schedule.retry, "the rest is kept")
            let both = await installation.failure(["job", "edit", "nightly", "--window", "sat 1-2", "--no-window"])
            #expect(both.contains("--window and --no-window exclude each other"), "\(both)")
            _ = try await installation.run(["job", "edit", "nightly", "--no-window", "--no-retries", "--disable"])
            edited = try await installation.job(named: "nightly")
            #expect(edited.schedule == BackupSchedule(trigger: .periodically(interval: .hours4, offsetMinutes: 30)) && !edited.isEnabled)

            var listed = try await installation.run(["job", "list"])
            #expect(listed.contains("nightly  every 4 hours from 00:30  disabled  no scheduled runs (disabled)  never run"), "\(listed)")
            #expect(listed.contains("by-hand  manual only  enabled  no scheduled runs  never run"), "\(listed)")
            _ = try await installation.run(["job", "edit", "nightly", "--enable"])
            #expect(try await installation.job(named: "nightly").isEnabled)
            listed = try await installation.run(["job", "list"])
            // Berlin is an hour ahead of UTC in winter and two in summer; the slots are Berlin's wall-clock times.
            #expect(listed.contains(#/nightly  every 4 hours from 00:30  enabled  next run \d{4}-\d\d-\d\d (00|04|08|12|16|20):30:00 \+0[12]:00/#), "\(listed)")
        }
    }

    @Test("job history lists runs newest first: who started each, its state, a skipped run's reason, duration and counters; --limit caps it")
    func history() async throws {
        try await Self.withOrganization { installation in
            _ = try await installation.run(["job", "add", "--organization", "contoso", "--all-users", "--name", "nightly", "--every", "1h"])
            #expect(try await installation.run(["job", "history", "nightly"]).contains("Job 'nightly' has not run yet."))
            let job = try await installation.job(named: "nightly")
            let start = Date(timeIntervalSince1970: 1_796_000_000)
            var counters = RunCounters()
            counters.drivesProcessed = 3
            counters.filesAdded = 12
            counters.bytesStored = 2_000_000
            let runs = [
                JobRun(
                    externalID: "FB20261201000000000001", jobID: job.id, organizationID: job.organizationID, kind: .backup, state: .succeeded,
                    createdAt: start, startedAt: start, endedAt: start + 125, counters: counters),
                JobRun(
                    externalID: "SK20261201010000000002", jobID: job.id, organizationID: job.organizationID, kind: .backup, state: .skipped,
                    createdAt: start + 3600, endedAt: start + 3600, scheduledAttempt: 1),
                JobRun(
                    externalID: "IB20261201020000000003", jobID: job.id, organizationID: job.organizationID, kind: .backup, state: .failed,
                    createdAt: start + 7200, startedAt: start + 7200, endedAt: start + 7205, scheduledAttempt: 2),
            ]
            try await installation.withCatalog { catalog in
                for run in runs { try await catalog.insertRun(run) }
                try await catalog.appendRunErrors(
                    [RunError(message: "The job's previous run was still going when this one was due.", itemPath: nil)], runID: runs[1].id)
                try await catalog.appendRunErrors([RunError(message: "The tenant refused the client secret.", itemPath: nil)], runID: runs[2].id)
            }

            let lines = try await installation.run(["job", "history", "nightly"]).split(separator: "\n")
            #expect(lines.count == 3, "\(lines)")
            #expect(lines.map { $0.prefix(22) } == ["IB20261201020000000003", "SK20261201010000000002", "FB20261201000000000001"])
            #expect(lines[0].contains("  failed  ") && lines[0].contains("  5s  retry 1  ") && lines[0].hasSuffix(": The tenant refused the client secret."), "\(lines[0])")
            #expect(lines[1].contains("  skipped  ") && lines[1].contains("  scheduled  not started: The job's previous run was still going"), "\(lines[1])")
            #expect(lines[2].contains("  succeeded  2026-") && lines[2].contains("  2m 5s  manual  drives 3, files added 12"), "\(lines[2])")
            #expect(lines[2].contains("new data \(formattedBytes(2_000_000))"), "\(lines[2])")

            let limited = try await installation.run(["job", "history", "nightly", "--limit", "1"]).split(separator: "\n")
            #expect(limited.count == 2 && limited[0].hasPrefix("IB20261201020000000003") && limited[1] == "... and 2 earlier runs (--limit)", "\(limited)")
        }
    }

}
