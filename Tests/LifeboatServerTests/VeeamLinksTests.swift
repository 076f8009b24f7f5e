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

@Suite("Veeam dialect: every link an answer carries leads somewhere")
struct VeeamLinksTests {
    /// Every `href` of every `_links` object anywhere in an answer (results of pages included).
    static func hrefs(in value: JSONValue) -> [String] {
        switch value {
        case .object(let members):
            var found: [String] = []
            for (key, member) in members {
                if key == "_links", let links = member.objectValue {
                    found += links.values.compactMap { $0["href"]?.stringValue }
                } else {
                    found += hrefs(in: member)
                }
            }
            return found
        case .array(let values):
            return values.flatMap(hrefs(in:))
        default:
            return []
        }
    }

    @Test("walking from jobs, organizations, repositories, restore points and sessions, every _links href answers 200 in Veeam's schema")
    func everyLinkResolves() async throws {
        try await VeeamAPIHarness.with { api in
            let token = try await api.signIn()
            #expect(try await api.fixture.backUp().state == .succeeded)
            let explored = try await VeeamRestoreSessionTests.explore(
                api, token: token,
                VeeamRestoreSessionTests.body(
                    dateTime: ISO8601DateFormatter().string(from: Date().addingTimeInterval(60)), showDeleted: true,
                    showAllVersions: true))
            let sessionID = try #require(explored["id"]?.stringValue)

            var pending = [
                "/v6/Jobs", "/v6/Organizations", "/v6/BackupRepositories", "/v6/RestorePoints", "/v6/JobSessions",
                "/v6/RestoreSessions", "/v6/RestoreSessions/\(sessionID)",
            ]
            var visited: Set<String> = []
            var templates: Set<String> = []
            while let href = pending.popLast(), visited.count < 600 {
                guard visited.insert(href).inserted else { continue }
                let path = String(href.split(separator: "?", maxSplits: 1).first ?? "")
                let template = try #require(api.document.template(matching: path), "\(href) is no path of Veeam's document")
                templates.insert(template)
                let response = try await api.send(.get, href, token: token)
                #expect(response.status == .ok, "\(href) answered \(response.status): \(String(buffer: response.body).prefix(300))")
                guard response.status == .ok else { continue }
                let body = try api.conformingBody(response, .get, template)
                pending += Self.hrefs(in: body).filter { !visited.contains($0) }
            }
            #expect(visited.count < 600, "the walk ended by itself")
            for reached in [
                "/v6/Jobs/{jobId}/JobSessions", "/v6/JobSessions/{jobSessionsId}", "/v6/BackupRepositories/{repositoryId}",
                "/v6/Organizations/{organizationId}/Jobs", "/v6/Organizations/{organizationId}", "/v6/Jobs/{jobId}",
                "/v6/RestorePoints/{restorePointId}", "/v6/RestoreSessions/{restoreSessionId}/organization",
                "/v6/RestoreSessions/{restoreSessionId}/Organization/OneDrives/{oneDriveId}/Documents/{documentId}",
            ] {
                #expect(templates.contains(reached), "no link led to \(reached); reached \(templates.sorted())")
            }
        }
    }

    @Test("job sessions describe the job's runs, newest first, with their status and statistics; repositories and an organization's jobs are listed")
    func jobSessionsRepositoriesAndOrganizationJobs() async throws {
        try await VeeamAPIHarness.with { api in
            let token = try await api.signIn()
            let job = api.fixture.job.id
            let empty = try api.conformingBody(
                try await api.send(.get, "/v6/Jobs/\(job.wire)/JobSessions", token: token), .get, "/v6/Jobs/{jobId}/JobSessions")
            #expect(empty["results"]?.arrayValue == [])
            let first = try await api.fixture.backUp()
            let second = try await api.fixture.backUp()
            let page = try api.conformingBody(
                try await api.send(.get, "/v6/Jobs/\(job.wire)/JobSessions?limit=1", token: token), .get,
                "/v6/Jobs/{jobId}/JobSessions")
            #expect(page["totalCount"]?.integerValue == 2)
            let newest = try #require(page["results"]?.arrayValue?.first)
            #expect(newest["id"]?.stringValue == second.id.wire)
            #expect(newest["status"]?.stringValue == "Success")
            #expect(newest["progress"]?.integerValue == 100)
            #expect(newest["statistics"]?["processedObjects"]?.integerValue == Int64(second.counters.itemsScanned))
            #expect(newest["statistics"]?["transferredDataBytes"]?.integerValue == second.counters.bytesDownloaded)
            #expect(page["_links"]?["next"]?["href"]?.stringValue?.contains("offset=1") == true)
            let single = try api.conformingBody(
                try await api.send(.get, "/v6/JobSessions/\(first.id.wire)", token: token), .get, "/v6/JobSessions/{jobSessionsId}")
            #expect(single["id"]?.stringValue == first.id.wire)
            #expect(single["_links"]?["job"]?["href"]?.stringValue == "/v6/Jobs/\(job.wire)")
            try api.expectRefusal(
                try await api.send(.get, "/v6/JobSessions/\(UUID().wire)", token: token), .notFound, .get,
                "/v6/JobSessions/{jobSessionsId}")
            try api.expectRefusal(
                try await api.send(.get, "/v6/Jobs/\(UUID().wire)/JobSessions", token: token), .notFound, .get,
                "/v6/Jobs/{jobId}/JobSessions")

            let repositories = try api.conformingBody(
                try await api.send(.get, "/v6/BackupRepositories", token: token), .get, "/v6/BackupRepositories")
            let repository = try #require(repositories.arrayValue?.first)
            #expect(repositories.arrayValue?.count == 1)
            #expect(repository["id"]?.stringValue == api.fixture.repositoryRecord.id.wire)
            #expect(repository["name"]?.stringValue == api.fixture.repositoryRecord.name)
            #expect(repository["path"]?.stringValue == api.fixture.repositoryRecord.location)
            try api.expectRefusal(
                try await api.send(.get, "/v6/BackupRepositories/\(UUID().wire)", token: token), .notFound, .get,
                "/v6/BackupRepositories/{repositoryId}")

            let organizationJobs = try api.conformingBody(
                try await api.send(.get, "/v6/Organizations/\(api.fixture.organization.id.wire)/Jobs", token: token), .get,
                "/v6/Organizations/{organizationId}/Jobs")
            #expect(organizationJobs.arrayValue?.compactMap { $0["id"]?.stringValue } == [job.wire])
            try api.expectRefusal(
                try await api.send(.get, "/v6/Organizations/\(UUID().wire)/Jobs", token: token), .notFound, .get,
                "/v6/Organizations/{organizationId}/Jobs")
        }
    }
}
