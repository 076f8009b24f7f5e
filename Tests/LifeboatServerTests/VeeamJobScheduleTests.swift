import BackupEngine
import Catalog
import Foundation
import HTTPTypes
import HummingbirdTesting
import LifeboatModel
import LifeboatServer
import LifeboatTestSupport
import NIOCore
import Testing

@Suite("Veeam dialect: job schedules (schedulePolicy, nextRun, PUT, enable/disable) and scheduled job sessions")
struct VeeamJobScheduleTests {
    /// Wall-clock parts of `date` in `zone`.
    static func wall(_ date: Date, in zone: String) -> DateComponents {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: zone)!
        return calendar.dateComponents([.hour, .minute, .second], from: date)
    }

    /// A window's 168 flags as JSON, open from `start` to `end` o'clock every day.
    static func windowJSON(from start: Int, to end: Int) -> String {
        "[" + (0..<168).map { (start..<end).contains($0 % 24) ? "true" : "false" }.joined(separator: ",") + "]"
    }

    @Test("jobs answer their schedule in Veeam's shape and nextRun in the organization's time zone; null when manual or disabled")
    func scheduleAndNextRunAreAnswered() async throws {
        try await VeeamAPIHarness.with { api in
            let token = try await api.signIn()
            let fixture = api.fixture
            let catalog = fixture.catalog
            try await catalog.setOrganizationTimeZone(id: fixture.organization.id, identifier: "Europe/Berlin")
            let nightly = BackupSchedule(
                trigger: .daily(days: .everyday, time: TimeOfDay(hour: 2, minute: 30)!),
                window: BackupWindow(days: Set(1...7), fromHour: 0, toHour: 6), retry: RetryPolicy(count: 2, waitMinutes: 15))
            try await catalog.updateJobSchedule(id: fixture.job.id, schedule: nightly, now: Date())
            let periodic = BackupJob(
                organizationID: fixture.organization.id, repositoryID: fixture.repositoryRecord.id, name: "Every four hours",
                scope: BackupScope(allUsers: true),
                schedule: BackupSchedule(trigger: .periodically(interval: .hours4, offsetMinutes: 30)))
            let paused = BackupJob(
                organizationID: fixture.organization.id, repositoryID: fixture.repositoryRecord.id, name: "Paused",
                scope: BackupScope(allSites: true), isEnabled: false,
                schedule: BackupSchedule(trigger: .periodically(interval: .minutes5, offsetMinutes: 0)))
            let manual = BackupJob(
                organizationID: fixture.organization.id, repositoryID: fixture.repositoryRecord.id, name: "By hand",
                scope: BackupScope(users: ["alice@contoso.onmicrosoft.com"]))
            for job in [periodic, paused, manual] { try await catalog.insertJob(job) }

            let before = Date()
            let list = try api.conformingBody(try await api.send(.get, "/v6/Jobs", token: token), .get, "/v6/Jobs")
            let byID = Dictionary(
                uniqueKeysWithValues: try #require(list.arrayValue).compactMap { job in job["id"]?.stringValue.map { ($0, job) } })

            let daily = try #require(byID[fixture.job.id.wire])
            let policy = try #require(daily["schedulePolicy"])
            #expect(policy["type"]?.stringValue == "Daily")
            #expect(policy["scheduleEnabled"]?.boolValue == true)
            #expect(policy["dailyType"]?.stringValue == "Everyday")
            #expect(policy["dailyTime"]?.stringValue == "02:30:00")
            #expect(policy["retryEnabled"]?.boolValue == true)
            #expect(policy["retryNumber"]?.integerValue == 2)
            #expect(policy["retryWaitInterval"]?.integerValue == 15)
            #expect(policy["backupWindowEnabled"]?.boolValue == true)
            let flags = try #require(policy["backupWindowSettings"]?["backupWindow"]?.arrayValue)
            #expect(flags.count == 168)
            #expect(flags.enumerated().allSatisfy { $0.element.boolValue == ($0.offset % 24 < 6) })
            let dailyNext = try #require(VeeamOrganizationsAndJobsTests.date(daily["nextRun"]))
            #expect(dailyNext > before && dailyNext <= before.addingTimeInterval(25 * 3600), "\(dailyNext)")
            let dailyWall = Self.wall(dailyNext, in: "Europe/Berlin")
            #expect(dailyWall.hour == 2 && dailyWall.minute == 30 && dailyWall.second == 0, "02:30 in Berlin: \(dailyNext)")

            let every4 = try #require(byID[periodic.id.wire])
            #expect(every4["schedulePolicy"]?["type"]?.stringValue == "Periodically")
            #expect(every4["schedulePolicy"]?["periodicallyEvery"]?.stringValue == "Hours4")
            #expect(every4["schedulePolicy"]?["periodicallyOffsetMinutes"]?.integerValue == 30)
            #expect(every4["schedulePolicy"]?["backupWindowEnabled"]?.boolValue == false)
            #expect(every4["schedulePolicy"]?["retryEnabled"]?.boolValue == false)
            let periodicNext = try #require(VeeamOrganizationsAndJobsTests.date(every4["nextRun"]))
            #expect(periodicNext > before && periodicNext <= before.addingTimeInterval(4 * 3600 + 60), "\(periodicNext)")
            let periodicWall = Self.wall(periodicNext, in: "Europe/Berlin")
            #expect(periodicWall.minute == 30 && (periodicWall.hour ?? 1) % 4 == 0, "hh:30 with hh a multiple of 4 in Berlin")

            #expect(byID[paused.id.wire]?["nextRun"] == .null, "a disabled job does not run by itself")
            #expect(byID[paused.id.wire]?["schedulePolicy"]?["periodicallyEvery"]?.stringValue == "Minutes5")
            #expect(byID[manual.id.wire]?["nextRun"] == .null)
            #expect(byID[manual.id.wire]?["schedulePolicy"]?["type"]?.stringValue == "ManualOnly")
            #expect(byID[manual.id.wire]?["schedulePolicy"]?["scheduleEnabled"]?.boolValue == false)

            let single = try api.conformingBody(
                try await api.send(.get, "/v6/Jobs/\(periodic.id.wire)", token: token), .get, "/v6/Jobs/{jobId}")
            #expect(single["schedulePolicy"] == every4["schedulePolicy"])
            let ofOrganization = try api.conformingBody(
                try await api.send(.get, "/v6/Organizations/\(fixture.organization.id.wire)/Jobs", token: token), .get,
                "/v6/Organizations/{organizationId}/Jobs")
            #expect(ofOrganization.arrayValue?.count == 4)
        }
    }

    @Test("PUT /v6/Jobs/{id} stores a schedule policy the scheduler reads; a job sent back unchanged changes nothing")
    func putStoresTheSchedule() async throws {
        try await VeeamAPIHarness.with { api in
            let token = try await api.signIn()
            let catalog = api.fixture.catalog
            let job = BackupJob(
                organizationID: api.fixture.organization.id, repositoryID: api.fixture.repositoryRecord.id,
                name: "Finance and Alice", description: "Selected items",
                scope: BackupScope(users: ["alice@contoso.onmicrosoft.com"], sites: ["https://contoso.sharepoint.com/sites/Finance"]))
            try await catalog.insertJob(job)
            let path = "/v6/Jobs/\(job.id.wire)"
            let body = """
                {"schedulePolicy": {"scheduleEnabled": true, "type": "periodically", "periodicallyEvery": "Minutes15",
                 "periodicallyOffsetMinutes": 5, "backupWindowEnabled": true,
                 "backupWindowSettings": {"backupWindow": \(Self.windowJSON(from: 8, to: 18)), "minuteOffset": 0},
                 "retryEnabled": true, "retryNumber": 4, "retryWaitInterval": 20}, "isEnabled": true}
                """
            let put = try await api.send(.put, path, token: token, headers: [.contentType: "application/json"], body: body)
            #expect(put.status == .noContent, "\(String(buffer: put.body))")
            try api.conformingBody(put, .put, "/v6/Jobs/{jobId}")
            let stored = try #require(try await catalog.job(id: job.id))
            #expect(
                stored.schedule
                    == BackupSchedule(
                        trigger: .periodically(interval: .minutes15, offsetMinutes: 5),
                        window: BackupWindow(days: Set(1...7), fromHour: 8, toHour: 18), retry: RetryPolicy(count: 4, waitMinutes: 20)))
            let scheduled = try await CatalogScheduleStore(catalog: catalog).scheduledJobs()
            #expect(scheduled.contains { $0.jobID == job.id && $0.schedule == stored.schedule }, "the scheduler sees the edit")

            // GET, then PUT the answer back as it came: the read-only and unchanged properties are accepted.
            let answered = try await api.send(.get, path, token: token)
            let echoed = try await api.send(
                .put, path, token: token, headers: [.contentType: "application/json"], body: String(buffer: answered.body))
            #expect(echoed.status == .noContent, "\(String(buffer: echoed.body))")
            #expect(try await catalog.job(id: job.id)?.schedule == stored.schedule)
            #expect(try await catalog.job(id: job.id)?.name == job.name)

            let daily = """
                {"schedulePolicy": {"type": "Daily", "dailyType": "Workdays", "dailyTime": "22:15:00"}, "isEnabled": false}
                """
            let second = try await api.send(.put, path, token: token, headers: [.contentType: "application/json"], body: daily)
            #expect(second.status == .noContent, "\(String(buffer: second.body))")
            let edited = try #require(try await catalog.job(id: job.id))
            #expect(edited.schedule == BackupSchedule(trigger: .daily(days: .workdays, time: TimeOfDay(hour: 22, minute: 15)!)))
            #expect(edited.isEnabled == false)

            let off = try await api.send(
                .put, path, token: token, headers: [.contentType: "application/json"], body: #"{"schedulePolicy": {"scheduleEnabled": false}}"#)
            #expect(off.status == .noContent)
            #expect(try await catalog.job(id: job.id)?.schedule == .manualOnly)

            let runNow = try await api.send(
                .put, path, token: token, headers: [.contentType: "application/json"], body: #"{"runNow": true}"#)
            #expect(runNow.status == .noContent, "\(String(buffer: runNow.body))")
            let settled = try await api.waitUntilJobSettles(job.id, token: token)
            #expect(settled["lastStatus"]?.stringValue == "Success", "runNow started a run: \(settled)")
            #expect(try await catalog.runs(jobID: job.id).count == 1)
        }
    }

    @Test("POST enable and disable answer 204 and switch whether the scheduler starts the job; unknown jobs are 404")
    func enableAndDisable() async throws {
        try await VeeamAPIHarness.with { api in
            let token = try await api.signIn()
            let catalog = api.fixture.catalog
            let job = api.fixture.job
            try await catalog.updateJobSchedule(
                id: job.id, schedule: BackupSchedule(trigger: .periodically(interval: .hours1, offsetMinutes: 0)), now: Date())
            let disable = try await api.send(.post, "/v6/Jobs/\(job.id.wire)/disable", token: token)
            #expect(disable.status == .noContent)
            try api.conformingBody(disable, .post, "/v6/Jobs/{jobId}/disable")
            #expect(try await catalog.job(id: job.id)?.isEnabled == false)
            let disabled = try api.conformingBody(try await api.send(.get, "/v6/Jobs/\(job.id.wire)", token: token), .get, "/v6/Jobs/{jobId}")
            #expect(disabled["isEnabled"]?.boolValue == false)
            #expect(disabled["nextRun"] == .null)
            #expect(try await CatalogScheduleStore(catalog: catalog).scheduledJobs().first { $0.jobID == job.id }?.isEnabled == false)

            let enableAt = Date()
            let enable = try await api.send(.post, "/v6/jobs/\(job.id.wire)/enable", token: token)
            #expect(enable.status == .noContent)
            try api.conformingBody(enable, .post, "/v6/Jobs/{jobId}/enable")
            let enabled = try #require(try await catalog.job(id: job.id))
            #expect(enabled.isEnabled)
            #expect((enabled.scheduledThrough ?? .distantPast) >= enableAt.addingTimeInterval(-0.001), "due runs counted from now")
            let answered = try api.conformingBody(try await api.send(.get, "/v6/Jobs/\(job.id.wire)", token: token), .get, "/v6/Jobs/{jobId}")
            #expect(VeeamOrganizationsAndJobsTests.date(answered["nextRun"]) != nil)

            for action in ["enable", "disable"] {
                try api.expectRefusal(
                    try await api.send(.post, "/v6/Jobs/\(UUID().wire)/\(action)", token: token), .notFound, .post,
                    "/v6/Jobs/{jobId}/\(action)")
            }
            try api.expectRefusal(
                try await api.send(.put, "/v6/Jobs/\(UUID().wire)", token: token, body: "{}"), .notFound, .put, "/v6/Jobs/{jobId}")
        }
    }

    /// Bodies `PUT /v6/Jobs/{id}` refuses, with the field the refusal must name.
    static let refusedBodies: [(body: String, field: String)] = [
        (#"{"schedulePolicy": {"type": "Weekly"}}"#, "schedulePolicy.type"),
        (#"{"schedulePolicy": {"scheduleEnabled": true}}"#, "schedulePolicy.type"),
        (#"{"schedulePolicy": {"type": "Periodically"}}"#, "schedulePolicy.periodicallyEvery"),
        (#"{"schedulePolicy": {"type": "Periodically", "periodicallyEvery": "Minutes7"}}"#, "schedulePolicy.periodicallyEvery"),
        (#"{"schedulePolicy": {"type": "Periodically", "periodicallyEvery": "Hours1", "periodicallyOffsetMinutes": 60}}"#,
         "schedulePolicy.periodicallyOffsetMinutes"),
        (#"{"schedulePolicy": {"type": "Periodically", "periodicallyEvery": "Hours1", "periodicallyOffsetMinutes": "5"}}"#,
         "schedulePolicy.periodicallyOffsetMinutes"),
        (#"{"schedulePolicy": {"type": "Daily", "dailyType": "Everyday", "dailyTime": "25:00:00"}}"#, "schedulePolicy.dailyTime"),
        (#"{"schedulePolicy": {"type": "Daily", "dailyType": "Everyday"}}"#, "schedulePolicy.dailyTime"),
        (#"{"schedulePolicy": {"type": "Daily", "dailyType": "Someday", "dailyTime": "01:00:00"}}"#, "schedulePolicy.dailyType"),
        (#"{"schedulePolicy": {"type": "Daily", "dailyType": "Everyday", "dailyTime": "01:00:00", "backupWindowEnabled": true}}"#,
         "schedulePolicy.backupWindowSettings"),
        (#"{"schedulePolicy": {"type": "Daily", "dailyType": "Everyday", "dailyTime": "01:00:00", "backupWindowEnabled": true, "backupWindowSettings": {"backupWindow": [true, false]}}}"#,
         "schedulePolicy.backupWindowSettings.backupWindow"),
        ("{\"schedulePolicy\": {\"type\": \"Daily\", \"dailyType\": \"Everyday\", \"dailyTime\": \"01:00:00\", \"backupWindowEnabled\": true, \"backupWindowSettings\": {\"backupWindow\": \(windowJSON(from: 0, to: 0))}}}",
         "schedulePolicy.backupWindowSettings.backupWindow"),
        ("{\"schedulePolicy\": {\"type\": \"Daily\", \"dailyType\": \"Everyday\", \"dailyTime\": \"01:00:00\", \"backupWindowEnabled\": true, \"backupWindowSettings\": {\"backupWindow\": \(windowJSON(from: 0, to: 24)), \"minuteOffset\": 15}}}",
         "schedulePolicy.backupWindowSettings.minuteOffset"),
        (#"{"schedulePolicy": {"type": "Periodically", "periodicallyEvery": "Hours1", "retryEnabled": true, "retryNumber": 0}}"#,
         "schedulePolicy.retryNumber"),
        (#"{"schedulePolicy": {"type": "Periodically", "periodicallyEvery": "Hours1", "retryEnabled": true, "retryWaitInterval": 0}}"#,
         "schedulePolicy.retryWaitInterval"),
        (#"{"schedulePolicy": "Daily"}"#, "schedulePolicy"),
        (#"{"isEnabled": "maybe"}"#, "isEnabled"),
        (#"{"name": "Renamed"}"#, "name"),
        (#"{"repositoryId": "00000000-0000-0000-0000-000000000000"}"#, "repositoryId"),
        (#"{"id": "00000000-0000-0000-0000-000000000000"}"#, "id"),
        (#"{"schedulePolicy": {"type": "ManualOnly"},}"#, "request body"),
    ]

    @Test("PUT /v6/Jobs/{id} refuses a bad value with 400 RESTExceptionInfo naming the field, and changes nothing", arguments: refusedBodies)
    func putRefusesBadValues(_ body: String, _ field: String) async throws {
        try await VeeamAPIHarness.with { api in
            let token = try await api.signIn()
            let job = api.fixture.job
            let response = try await api.send(
                .put, "/v6/Jobs/\(job.id.wire)", token: token, headers: [.contentType: "application/json"],
                body: body.replacingOccurrences(of: "00000000-0000-0000-0000-000000000000", with: UUID().wire))
            try api.expectRefusal(response, .badRequest, .put, "/v6/Jobs/{jobId}", mentioning: field)
            let stored = try #require(try await api.fixture.catalog.job(id: job.id))
            #expect(stored.schedule == job.schedule && stored.isEnabled == job.isEnabled && stored.name == job.name)
        }
    }

    @Test("job sessions show the scheduler's skipped runs (with why) and retries (retryCount), in the job's and the global list")
    func skippedRunsAndRetriesAreSessions() async throws {
        try await VeeamAPIHarness.with { api in
            let token = try await api.signIn()
            let fixture = api.fixture
            let job = fixture.job
            let start = Date(timeIntervalSince1970: 1_790_000_000)
            let first = JobRun(
                externalID: ExternalJobID.make(prefix: "BK", date: start), jobID: job.id, organizationID: fixture.organization.id,
                kind: .backup, state: .failed, createdAt: start, startedAt: start, endedAt: start.addingTimeInterval(60),
                scheduledAttempt: 1)
            let retry = JobRun(
                externalID: ExternalJobID.make(prefix: "BK", date: start.addingTimeInterval(600)), jobID: job.id,
                organizationID: fixture.organization.id, kind: .backup, state: .succeeded, createdAt: start.addingTimeInterval(600),
                startedAt: start.addingTimeInterval(600), endedAt: start.addingTimeInterval(660), scheduledAttempt: 2)
            try await fixture.catalog.insertRun(first)
            try await fixture.catalog.insertRun(retry)
            let reason = "The run due at 2026-09-21T12:00:00Z was skipped: the job's previous run was still going."
            try await CatalogScheduleStore(catalog: fixture.catalog).recordSkip(
                jobID: job.id, at: start.addingTimeInterval(1_200), reason: reason)

            for (path, template) in [
                ("/v6/Jobs/\(job.id.wire)/JobSessions", "/v6/Jobs/{jobId}/JobSessions"), ("/v6/JobSessions", "/v6/JobSessions"),
            ] {
                let page = try api.conformingBody(try await api.send(.get, path, token: token), .get, template)
                #expect(page["totalCount"]?.integerValue == 3, "\(path)")
                let sessions = try #require(page["results"]?.arrayValue)
                #expect(sessions.compactMap { $0["status"]?.stringValue } == ["Stopped", "Success", "Failed"], "\(path)")
                #expect(sessions.compactMap { $0["retryCount"]?.integerValue } == [0, 1, 0], "\(path)")
                #expect(sessions.first?["details"]?.stringValue?.contains(reason) == true, "\(path): \(sessions.first ?? .null)")
                #expect(sessions.dropFirst().first?["id"]?.stringValue == retry.id.wire)
            }
            let skipped = try #require(try await fixture.catalog.runs(jobID: job.id).first { $0.state == .skipped })
            let single = try api.conformingBody(
                try await api.send(.get, "/v6/JobSessions/\(skipped.id.wire)", token: token), .get, "/v6/JobSessions/{jobSessionsId}")
            #expect(single["details"]?.stringValue?.contains(reason) == true)
        }
    }

    @Test("job session lists page in the catalog: offset and limit select the same runs, newest first, with the full count")
    func sessionListsArePagedByTheCatalog() async throws {
        try await VeeamAPIHarness.with { api in
            let token = try await api.signIn()
            let fixture = api.fixture
            let start = Date(timeIntervalSince1970: 1_790_000_000)
            let other = BackupJob(
                organizationID: fixture.organization.id, repositoryID: fixture.repositoryRecord.id, name: "Other",
                scope: BackupScope(allSites: true))
            try await fixture.catalog.insertJob(other)
            var runs: [JobRun] = []
            for index in 0..<40 {
                let created = start.addingTimeInterval(Double(index) * 3_600)
                let run = JobRun(
                    externalID: ExternalJobID.make(prefix: "BK", date: created), jobID: index % 2 == 0 ? fixture.job.id : other.id,
                    organizationID: fixture.organization.id, kind: .backup, state: .succeeded, createdAt: created,
                    startedAt: created, endedAt: created.addingTimeInterval(60))
                try await fixture.catalog.insertRun(run)
                runs.append(run)
            }
            let newestFirst = runs.reversed().map(\.id.wire)
            let page = try api.conformingBody(
                try await api.send(.get, "/v6/JobSessions?offset=10&limit=5", token: token), .get, "/v6/JobSessions")
            #expect(page["totalCount"]?.integerValue == 40)
            #expect(page["results"]?.arrayValue?.compactMap { $0["id"]?.stringValue } == Array(newestFirst[10..<15]))
            #expect(page["_links"]?["next"]?["href"]?.stringValue?.contains("offset=15") == true)

            let ofJob = try api.conformingBody(
                try await api.send(.get, "/v6/Jobs/\(other.id.wire)/JobSessions?offset=18&limit=5", token: token), .get,
                "/v6/Jobs/{jobId}/JobSessions")
            #expect(ofJob["totalCount"]?.integerValue == 20)
            let otherNewestFirst = runs.reversed().filter { $0.jobID == other.id }.map(\.id.wire)
            #expect(ofJob["results"]?.arrayValue?.compactMap { $0["id"]?.stringValue } == Array(otherNewestFirst[18..<20]))
            #expect(ofJob["_links"]?["next"] == nil)

            // Runs that ended at or after the bound: the last 5 (ended 60 s after their creation).
            let bound = try #require(runs[35].endedAt).formatted(Date.ISO8601FormatStyle())
            let recent = try api.conformingBody(
                try await api.send(.get, "/v6/JobSessions?endTimeLowerBound=\(bound)&limit=2", token: token), .get, "/v6/JobSessions")
            #expect(recent["totalCount"]?.integerValue == 5)
            #expect(recent["results"]?.arrayValue?.compactMap { $0["id"]?.stringValue } == Array(newestFirst[0..<2]))
            let none = try api.conformingBody(
                try await api.send(.get, "/v6/JobSessions?jobType=Restore", token: token), .get, "/v6/JobSessions")
            #expect(none["totalCount"]?.integerValue == 0 && none["results"]?.arrayValue == [])
        }
    }
}
