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

@Suite("Veeam dialect: organizations and jobs")
struct VeeamOrganizationsAndJobsTests {
    /// Parses a date-time of an answer.
    static func date(_ value: JSONValue?) -> Date? {
        value?.stringValue.flatMap { try? Date($0, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true)) }
    }

    /// Whole milliseconds since 1970, the precision the catalog keeps and the API writes.
    static func milliseconds(_ date: Date?) -> Int64? {
        date.map { Int64(($0.timeIntervalSince1970 * 1000).rounded()) }
    }

    @Test("GET /v6/Organizations and /{id} describe the registered tenant, and its backup times once backed up")
    func organizations() async throws {
        try await VeeamAPIHarness.with { api in
            let token = try await api.signIn()
            let organization = api.fixture.organization
            let list = try api.conformingBody(try await api.send(.get, "/v6/Organizations", token: token), .get, "/v6/Organizations")
            let entries = try #require(list.arrayValue)
            #expect(entries.count == 1)
            let before = try #require(entries.first)
            #expect(before["id"]?.stringValue == organization.id.wire)
            #expect(before["name"]?.stringValue == organization.name)
            #expect(before["type"]?.stringValue == "Office365")
            #expect(before["isBackedup"]?.boolValue == false)
            #expect(before["firstBackuptime"] == nil && before["lastBackuptime"] == nil)
            #expect(before["_links"]?["self"]?["href"]?.stringValue == "/v6/Organizations/\(organization.id.wire)")

            let first = try await api.fixture.backUp()
            let second = try await api.fixture.backUp()
            #expect(first.state == .succeeded && second.state == .succeeded)
            let points = try await api.fixture.catalog.restorePoints(RestorePointFilter(organizationID: organization.id))
            #expect(points.count == 2)
            let response = try await api.send(.get, "/v6/organizations/\(organization.id.wire)", token: token)
            #expect(response.status == .ok)
            let after = try api.conformingBody(response, .get, "/v6/Organizations/{organizationId}")
            #expect(after["isBackedup"]?.boolValue == true)
            #expect(Self.milliseconds(Self.date(after["firstBackuptime"])) == Self.milliseconds(points.map(\.backupTime).min()))
            #expect(Self.milliseconds(Self.date(after["lastBackuptime"])) == Self.milliseconds(points.map(\.backupTime).max()))
            let uppercase = try await api.send(.get, "/v6/Organizations/\(organization.id.uuidString)", token: token)
            #expect(try api.conformingBody(uppercase, .get, "/v6/Organizations/{organizationId}")["id"] == after["id"])
        }
    }

    @Test("an unknown organization is a 404 and a malformed id a 400 naming organizationId, both RESTExceptionInfo")
    func organizationRefusals() async throws {
        try await VeeamAPIHarness.with { api in
            let token = try await api.signIn()
            let template = "/v6/Organizations/{organizationId}"
            try api.expectRefusal(
                try await api.send(.get, "/v6/Organizations/\(UUID().wire)", token: token), .notFound, .get, template)
            try api.expectRefusal(
                try await api.send(.get, "/v6/Organizations/contoso", token: token), .badRequest, .get, template,
                mentioning: "organizationId")
        }
    }

    @Test("GET /v6/Jobs and /{id} describe each job's scope, repository and last status in Veeam's shape")
    func jobs() async throws {
        try await VeeamAPIHarness.with { api in
            let token = try await api.signIn()
            let fixture = api.fixture
            let selected = BackupJob(
                organizationID: fixture.organization.id, repositoryID: fixture.repositoryRecord.id, name: "Finance and Alice",
                description: "Selected items",
                scope: BackupScope(users: ["alice@contoso.onmicrosoft.com"], sites: ["https://contoso.sharepoint.com/sites/Finance"]))
            let oneDrives = BackupJob(
                organizationID: fixture.organization.id, repositoryID: fixture.repositoryRecord.id, name: "Every OneDrive",
                scope: BackupScope(allUsers: true), isEnabled: false)
            try await fixture.catalog.insertJob(selected)
            try await fixture.catalog.insertJob(oneDrives)

            let list = try api.conformingBody(try await api.send(.get, "/v6/Jobs", token: token), .get, "/v6/Jobs")
            let byID = Dictionary(
                uniqueKeysWithValues: try #require(list.arrayValue).compactMap { job in job["id"]?.stringValue.map { ($0, job) } })
            #expect(Set(byID.keys) == [fixture.job.id.wire, selected.id.wire, oneDrives.id.wire])

            let whole = try #require(byID[fixture.job.id.wire])
            #expect(whole["name"]?.stringValue == fixture.job.name)
            #expect(whole["backupType"]?.stringValue == "EntireOrganization")
            #expect(whole["selectedItems"]?.arrayValue?.isEmpty == true)
            #expect(whole["repositoryId"]?.stringValue == fixture.repositoryRecord.id.wire)
            // A job that never ran is idle (`Stopped`) with no last run, as Veeam answers for a new job.
            #expect(whole["lastStatus"]?.stringValue == "Stopped")
            #expect(whole["lastRun"] == nil || whole["lastRun"] == .null)
            #expect(whole["isEnabled"]?.boolValue == true)
            #expect(whole["schedulePolicy"]?["type"]?.stringValue == "ManualOnly")
            #expect(whole["_links"]?["organization"]?["href"]?.stringValue == "/v6/Organizations/\(fixture.organization.id.wire)")

            let items = try #require(byID[selected.id.wire]?["selectedItems"]?.arrayValue)
            #expect(byID[selected.id.wire]?["backupType"]?.stringValue == "SelectedItems")
            #expect(items.compactMap { $0["type"]?.stringValue }.sorted() == ["Site", "User"])
            #expect(items.contains { $0["user"]?["name"]?.stringValue == "alice@contoso.onmicrosoft.com" })
            #expect(items.contains { $0["site"]?["url"]?.stringValue == "https://contoso.sharepoint.com/sites/Finance" })

            let partial = try #require(byID[oneDrives.id.wire])
            #expect(partial["isEnabled"]?.boolValue == false)
            let partialItem = try #require(partial["selectedItems"]?.arrayValue?.first)
            #expect(partialItem["type"]?.stringValue == "PartialOrganization")
            #expect(partialItem["oneDrive"]?.boolValue == true && partialItem["sites"]?.boolValue == false)

            let single = try await api.send(.get, "/v6/jobs/\(selected.id.wire)", token: token)
            #expect(single.status == .ok)
            #expect(try api.conformingBody(single, .get, "/v6/Jobs/{jobId}") == byID[selected.id.wire])
            try api.expectRefusal(try await api.send(.get, "/v6/Jobs/\(UUID().wire)", token: token), .notFound, .get, "/v6/Jobs/{jobId}")
            try api.expectRefusal(
                try await api.send(.get, "/v6/Jobs/42", token: token), .badRequest, .get, "/v6/Jobs/{jobId}", mentioning: "jobId")
        }
    }

    @Test("POST /v6/Jobs/{id}/start answers 204 at once, the worker runs the backup, and a new restore point appears")
    func startJob() async throws {
        try await VeeamAPIHarness.with { api in
            let token = try await api.signIn()
            let job = api.fixture.job.id
            let existing = try await api.fixture.backUp()
            #expect(existing.state == .succeeded)
            let before = try api.conformingBody(
                try await api.send(.get, "/v6/RestorePoints?jobId=\(job.wire)", token: token), .get, "/v6/RestorePoints")
            #expect(before.arrayValue?.count == 1)

            let startedAt = Date()
            let response = try await api.send(
                .post, "/v6/Jobs/\(job.wire)/start", token: token, headers: [.contentType: "application/json"],
                body: #"{"full": true}"#)
            #expect(response.status == .noContent)
            try api.conformingBody(response, .post, "/v6/Jobs/{jobId}/start")

            let settled = try await api.waitUntilJobSettles(job, token: token)
            #expect(settled["lastStatus"]?.stringValue == "Success")
            let lastRun = try #require(Self.date(settled["lastRun"]))
            #expect(lastRun >= startedAt.addingTimeInterval(-1))

            let after = try api.conformingBody(
                try await api.send(.get, "/v6/RestorePoints?jobId=\(job.wire)", token: token), .get, "/v6/RestorePoints")
            let points = try #require(after.arrayValue)
            #expect(points.count == 2)
            let newest = try #require(points.first)
            #expect(newest["id"] != before.arrayValue?.first?["id"])
            #expect(try #require(Self.date(newest["backupTime"])) >= startedAt.addingTimeInterval(-1))
            let runs = try await api.fixture.catalog.runs(jobID: job)
            #expect(runs.count == 2)
            #expect(runs.allSatisfy { $0.state == .succeeded })
        }
    }

    @Test("starting a job without a body works; a running job is a 409, an unknown job a 404, a bad body a 400")
    func startRefusals() async throws {
        try await VeeamAPIHarness.with { api in
            let token = try await api.signIn()
            let job = api.fixture.job.id
            let template = "/v6/Jobs/{jobId}/start"
            try api.expectRefusal(
                try await api.send(.post, "/v6/Jobs/\(UUID().wire)/start", token: token), .notFound, .post, template)
            try api.expectRefusal(
                try await api.send(.post, "/v6/Jobs/not-a-job/start", token: token), .badRequest, .post, template,
                mentioning: "jobId")
            try api.expectRefusal(
                try await api.send(.post, "/v6/Jobs/\(job.wire)/start", token: token, body: #"{"full": "yes"}"#),
                .badRequest, .post, template, mentioning: "full")
            #expect(try await api.fixture.catalog.runs(jobID: job).isEmpty)

            // A run queued outside the worker stays queued, so the job is busy for as long as the test needs.
            let queued = try await api.fixture.runner.enqueue(jobID: job)
            try api.expectRefusal(
                try await api.send(.post, "/v6/Jobs/\(job.wire)/start", token: token), .conflict, .post, template)
            let busy = try api.conformingBody(try await api.send(.get, "/v6/Jobs/\(job.wire)", token: token), .get, "/v6/Jobs/{jobId}")
            #expect(busy["lastStatus"]?.stringValue == "Queued")
            _ = try await api.fixture.runner.execute(queued)

            let response = try await api.send(.post, "/v6/Jobs/\(job.wire)/start", token: token)
            #expect(response.status == .noContent)
            let settled = try await api.waitUntilJobSettles(job, token: token)
            #expect(settled["lastStatus"]?.stringValue == "Success")
            #expect(try await api.fixture.catalog.restorePoints(RestorePointFilter(jobID: job)).count == 2)
        }
    }
}
