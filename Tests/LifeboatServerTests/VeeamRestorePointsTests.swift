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

@Suite("Veeam dialect: GET /v6/RestorePoints (seed 003)")
struct VeeamRestorePointsTests {
    /// Four committed restore points made by real backups: job A twice (fixture repository), job B once into a second
    /// repository, and job C once for a second organization registered for the same simulated tenant.
    struct World: Sendable {
        var a1: RestorePoint
        var a2: RestorePoint
        var b1: RestorePoint
        var c1: RestorePoint
        var secondRepository: BackupRepository
        var secondOrganization: Organization
        var jobB: BackupJob
        var jobC: BackupJob

        /// Every point, newest first (the order of Veeam's answer).
        var newestFirst: [RestorePoint] { [a1, a2, b1, c1].sorted { $0.backupTime > $1.backupTime } }
    }

    static func makeWorld(_ fixture: BackupFixture) async throws -> World {
        let catalog = fixture.catalog
        let secondRepository = BackupRepository(
            name: "Second repository", location: fixture.directory.appendingPathComponent("second-repository").path)
        try await catalog.insertRepository(secondRepository)
        let first = fixture.organization
        let secondOrganization = Organization(
            name: "second.onmicrosoft.com", tenantID: first.tenantID, clientID: first.clientID,
            loginBaseURL: first.loginBaseURL, graphBaseURL: first.graphBaseURL)
        try await catalog.insertOrganization(secondOrganization)
        let secret = try #require(try await catalog.graphSecret(organizationID: first.id))
        try await catalog.setGraphSecret(secret, organizationID: secondOrganization.id)
        let jobB = BackupJob(
            organizationID: fixture.organization.id, repositoryID: secondRepository.id, name: "B", scope: .entireOrganization)
        let jobC = BackupJob(
            organizationID: secondOrganization.id, repositoryID: fixture.repositoryRecord.id, name: "C",
            scope: .entireOrganization)
        try await catalog.insertJob(jobB)
        try await catalog.insertJob(jobC)

        func point(of run: JobRun) async throws -> RestorePoint {
            #expect(run.state == .succeeded)
            let points = try await catalog.restorePoints(RestorePointFilter(jobID: run.jobID))
            return try #require(points.first { $0.runID == run.id })
        }
        let a1 = try await point(of: try await fixture.backUp())
        let a2 = try await point(of: try await fixture.backUp())
        let b1 = try await point(of: try await fixture.runner.runNow(jobID: jobB.id))
        let c1 = try await point(of: try await fixture.runner.runNow(jobID: jobC.id))
        return World(
            a1: a1, a2: a2, b1: b1, c1: c1, secondRepository: secondRepository, secondOrganization: secondOrganization,
            jobB: jobB, jobC: jobC)
    }

    /// UTC formatting of a backup time in one of seed 003's patterns.
    static func format(_ date: Date, _ pattern: String, zone: String = "UTC") -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: zone)
        formatter.dateFormat = pattern
        return formatter.string(from: date)
    }

    /// Percent-encoding of a query value (a space as `%20`, `+` as `%2B`).
    static func encode(_ value: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~:")
        return value.addingPercentEncoding(withAllowedCharacters: allowed) ?? value
    }

    @Test("every filter of seed 003, alone and combined, returns exactly the matching points, newest first")
    func filters() async throws {
        try await VeeamAPIHarness.with { api in
            let world = try await Self.makeWorld(api.fixture)
            let token = try await api.signIn()
            let fixture = api.fixture
            let all = world.newestFirst
            let earliest = all.map(\.backupTime).min()!
            let latest = all.map(\.backupTime).max()!
            let org1 = fixture.organization.id.wire
            // A client that copies a point's backupTime from an answer must not get that point back as "after" it.
            let answered = try api.conformingBody(
                try await api.send(.get, "/v6/RestorePoints?jobId=\(fixture.job.id.wire)", token: token), .get, "/v6/RestorePoints")
            let copied = try #require(answered.arrayValue?.last?["backupTime"]?.stringValue)
            let cases: [(String, [RestorePoint])] = [
                ("backupTime=\(Self.encode(copied))", all.filter { $0.backupTime > world.a1.backupTime }),
                ("", all),
                ("organizationId=\(org1)", [world.a1, world.a2, world.b1]),
                ("organizationID=\(org1)", [world.a1, world.a2, world.b1]),
                ("ORGANIZATIONID=\(fixture.organization.id.uuidString)", [world.a1, world.a2, world.b1]),
                ("organizationId=\(world.secondOrganization.id.wire)", [world.c1]),
                ("organizationId=\(UUID().wire)", []),
                ("jobId=\(fixture.job.id.wire)", [world.a1, world.a2]),
                ("jobID=\(world.jobC.id.wire)", [world.c1]),
                ("repositoryId=\(world.secondRepository.id.wire)", [world.b1]),
                ("repositoryId=\(fixture.repositoryRecord.id.wire)", [world.a1, world.a2, world.c1]),
                ("jobId=\(fixture.job.id.wire)&repositoryId=\(world.secondRepository.id.wire)", []),
                ("organizationId=\(org1)&repositoryId=\(fixture.repositoryRecord.id.wire)", [world.a1, world.a2]),
                // "Created after": the point taken at exactly backupTime is not returned.
                ("backupTime=\(Self.encode(Self.format(world.a1.backupTime, "yyyy-MM-dd HH:mm:ss.SSS")))",
                    all.filter { $0.backupTime > world.a1.backupTime }),
                ("backupTime=\(Self.format(world.a1.backupTime, "yyyy-MM-dd+HH:mm:ss.SSS"))",
                    all.filter { $0.backupTime > world.a1.backupTime }),
                ("backupTime=\(Self.encode(Self.format(earliest.addingTimeInterval(-1), "yyyy.MM.dd HH:mm:ss")))", all),
                ("backupTime=\(Self.encode(Self.format(latest.addingTimeInterval(1), "yyyy.MM.dd HH:mm:ss")))", []),
                ("backupTime=\(Self.encode(Self.format(world.a2.backupTime, "yyyy-MM-dd'T'HH:mm:ss.SSS'Z'")))",
                    all.filter { $0.backupTime > world.a2.backupTime }),
                ("backupTime=\(Self.encode(Self.format(world.a2.backupTime, "yyyy-MM-dd'T'HH:mm:ss.SSSxxx", zone: "Asia/Kolkata")))",
                    all.filter { $0.backupTime > world.a2.backupTime }),
                ("backupTime=\(Self.format(world.a2.backupTime, "yyyy-MM-dd'T'HH:mm:ss.SSSxxx", zone: "Asia/Kolkata"))",
                    all.filter { $0.backupTime > world.a2.backupTime }),
                ("organizationId=\(org1)&backupTime=\(Self.encode(Self.format(world.a1.backupTime, "yyyy-MM-dd HH:mm:ss.SSS")))",
                    [world.a2, world.b1].filter { $0.backupTime > world.a1.backupTime }),
                ("isLongTermCopy=false", all),
                ("isLongTermCopy=true", []),
                ("isRetrieved=FALSE", all),
                ("isRetrieved=true", []),
                ("jobId=\(fixture.job.id.wire)&isLongTermCopy=false&isRetrieved=false", [world.a1, world.a2]),
                ("organizationId=&jobId=", all),
            ]
            for (query, expected) in cases {
                for path in ["/v6/RestorePoints", "/v6/restorePoints"] {
                    let response = try await api.send(.get, query.isEmpty ? path : "\(path)?\(query)", token: token)
                    #expect(response.status == .ok, "\(query): \(String(buffer: response.body))")
                    let body = try api.conformingBody(response, .get, "/v6/RestorePoints")
                    let ids = body.arrayValue?.compactMap { $0["id"]?.stringValue } ?? []
                    let expectedIDs = expected.sorted { $0.backupTime > $1.backupTime }.map(\.id.wire)
                    #expect(ids == expectedIDs, "\(path)?\(query)")
                }
            }
        }
    }

    @Test("each restore point carries its job, organization, repository, time and content flags, by list and by id")
    func restorePointContent() async throws {
        try await VeeamAPIHarness.with { api in
            let world = try await Self.makeWorld(api.fixture)
            let token = try await api.signIn()
            let list = try api.conformingBody(try await api.send(.get, "/v6/RestorePoints", token: token), .get, "/v6/RestorePoints")
            let answered = try #require(list.arrayValue)
            #expect(answered.count == 4)
            for point in world.newestFirst {
                let entry = try #require(answered.first { $0["id"]?.stringValue == point.id.wire })
                #expect(entry["jobId"]?.stringValue == point.jobID.wire)
                #expect(entry["organizationId"]?.stringValue == point.organizationID.wire)
                #expect(entry["repositoryId"]?.stringValue == point.repositoryID.wire)
                #expect(
                    VeeamOrganizationsAndJobsTests.milliseconds(VeeamOrganizationsAndJobsTests.date(entry["backupTime"]))
                        == VeeamOrganizationsAndJobsTests.milliseconds(point.backupTime))
                #expect(entry["isOneDrive"]?.boolValue == point.isOneDrive)
                #expect(entry["isSharePoint"]?.boolValue == point.isSharePoint)
                #expect(entry["isExchange"]?.boolValue == false && entry["isTeams"]?.boolValue == false)
                #expect(entry["isLongTermCopy"]?.boolValue == false && entry["isRetrieved"]?.boolValue == false)
                #expect(entry["retrievalId"]?.stringValue == "00000000-0000-0000-0000-000000000000")
                #expect(entry["_links"]?["self"]?["href"]?.stringValue == "/v6/RestorePoints/\(point.id.wire)")
                #expect(entry["_links"]?["backupRepository"]?["href"]?.stringValue == "/v6/BackupRepositories/\(point.repositoryID.wire)")

                let single = try await api.send(.get, "/v6/RestorePoints/\(point.id.wire)", token: token)
                #expect(single.status == .ok)
                #expect(try api.conformingBody(single, .get, "/v6/RestorePoints/{restorePointId}") == entry)
            }
            #expect(world.a1.isOneDrive && world.a1.isSharePoint, "the whole-tenant job backs up OneDrives and sites")
            let template = "/v6/RestorePoints/{restorePointId}"
            try api.expectRefusal(try await api.send(.get, "/v6/RestorePoints/\(UUID().wire)", token: token), .notFound, .get, template)
            // Veeam's restore point ids are opaque strings (seed 003 shows two GUIDs glued together): unknown, not malformed.
            try api.expectRefusal(
                try await api.send(.get, "/v6/RestorePoints/5f7c94d0-c339-46f1-9b0f-2b9763ba83de31e4e204-7ce3-48f6-8c87-4a17f5da7e07", token: token),
                .notFound, .get, template)
        }
    }

    @Test("a bad filter value is a 400 RESTExceptionInfo naming the parameter, never a 500")
    func badFilterValues() async throws {
        try await VeeamAPIHarness.with { api in
            let token = try await api.signIn()
            let cases: [(String, String)] = [
                ("organizationId=contoso", "organizationId"),
                ("organizationID=12345", "organizationId"),
                ("jobId=00000000-0000-0000-0000-00000000000g", "jobId"),
                ("repositoryId=%2E%2E%2Fetc", "repositoryId"),
                ("backupTime=yesterday", "backupTime"),
                ("backupTime=2022-02-30%2010:00:00", "backupTime"),
                ("backupTime=2022-13-01%2010:00:00", "backupTime"),
                ("backupTime=2022-02-22T25:00:00Z", "backupTime"),
                ("backupTime=2022.02.22%2014:61:00", "backupTime"),
                ("backupTime=2022-02-22T10:00:00%2B99:00", "backupTime"),
                ("backupTime=1645541062", "backupTime"),
                ("isLongTermCopy=maybe", "isLongTermCopy"),
                ("isRetrieved=1", "isRetrieved"),
                ("jobId=\(UUID().wire)&isRetrieved=yes", "isRetrieved"),
            ]
            for (query, field) in cases {
                let response = try await api.send(.get, "/v6/RestorePoints?\(query)", token: token)
                #expect(response.status == .badRequest, "\(query)")
                try api.expectRefusal(response, .badRequest, .get, "/v6/RestorePoints", mentioning: field)
            }
        }
    }
}
