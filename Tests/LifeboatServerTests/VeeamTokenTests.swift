import Catalog
import Foundation
import HTTPTypes
import HummingbirdTesting
import LifeboatModel
import LifeboatServer
import LifeboatTestSupport
import NIOCore
import Testing

@Suite("Veeam dialect: POST /v6/token and bearer authentication")
struct VeeamTokenTests {
    @Test("the password grant answers an OAuthTokenResponse whose access token opens the API, whatever the path's case")
    func passwordGrant() async throws {
        try await VeeamAPIHarness.with { api in
            for path in ["/v6/Token", "/v6/token", "/V6/TOKEN"] {
                let before = Date()
                let response = try await api.requestToken(
                    [("grant_type", "password"), ("username", VeeamAPIHarness.username), ("password", VeeamAPIHarness.password)],
                    path: path)
                #expect(response.status == .ok, "\(path)")
                let body = try api.conformingBody(response, .post, "/v6/token")
                #expect(body["token_type"]?.stringValue == "bearer")
                #expect(body["userName"]?.stringValue == VeeamAPIHarness.username)
                #expect(body["expires_in"]?.integerValue == 3600)
                let issued = try #require(body[".issued"]?.stringValue.flatMap { try? Date($0, strategy: .iso8601) })
                let expires = try #require(body[".expires"]?.stringValue.flatMap { try? Date($0, strategy: .iso8601) })
                #expect(abs(issued.timeIntervalSince(before)) < 60)
                #expect(abs(expires.timeIntervalSince(issued) - 3600) < 1)
                let access = try #require(body["access_token"]?.stringValue)
                #expect(body["refresh_token"]?.stringValue != access)
                let organizations = try await api.send(.get, "/v6/Organizations", token: access)
                #expect(organizations.status == .ok)
            }
        }
    }

    @Test("an application token granted only AvePoint scopes is refused (403) on every Veeam route, v6 and v3")
    func applicationTokensCannotUseVeeamRoutes() async throws {
        try await VeeamAPIHarness.with { harness in
            let application = Principal(
                name: "restore-app", kind: .application,
                scopes: ["microsoft365backup.restore.readwrite.all", "microsoft365backup.jobInfo.read.all"])
            try await harness.fixture.catalog.insertPrincipal(StoredCredential(principal: application, secretHash: "unused"))
            let token = try await TokenIssuer(catalog: harness.fixture.catalog).issue(for: application).accessToken
            let jobID = harness.fixture.job.id.wire
            let attempts: [(HTTPRequest.Method, String, String)] = [
                (.get, "/v6/Jobs", "/v6/Jobs"),
                (.get, "/v6/Organizations", "/v6/Organizations"),
                (.post, "/v6/Jobs/\(jobID)/start", "/v6/Jobs/{jobId}/start"),
                (.post, "/v6/Jobs/\(jobID)/explore", "/v6/Jobs/{jobId}/explore"),
                (.get, "/v6/RestoreSessions", "/v6/RestoreSessions"),
                (.post, "/v3/RestoreSessions/\(UUID().uuidString)/Organization/OneDrives/Action",
                 "/v6/RestoreSessions/{restoreSessionId}/Organization/OneDrives/restore"),
            ]
            for (method, path, template) in attempts {
                let response = try await harness.send(method, path, token: token, body: #"{"type": "Veod"}"#)
                try harness.expectRefusal(response, .forbidden, method, template, mentioning: "admin")
            }
            let runs = try await harness.fixture.catalog.runs(jobID: harness.fixture.job.id)
            #expect(runs.isEmpty, "the refused start queued nothing")
        }
    }

    @Test("a JSON token request (Veeam's document allows it) works like the form")
    func jsonGrant() async throws {
        try await VeeamAPIHarness.with { api in
            let response = try await api.send(
                .post, "/v6/token", headers: [.contentType: "application/json"],
                body: #"{"grant_type": "password", "username": "\#(VeeamAPIHarness.username)", "password": "\#(VeeamAPIHarness.password)"}"#)
            #expect(response.status == .ok)
            #expect(try api.conformingBody(response, .post, "/v6/token")["access_token"]?.stringValue?.isEmpty == false)
        }
    }

    @Test("a wrong password and an unknown user get the same 400 RESTExceptionInfo, and no token")
    func refusedCredentials() async throws {
        try await VeeamAPIHarness.with { api in
            let wrongPassword = try await api.requestToken([
                ("grant_type", "password"), ("username", VeeamAPIHarness.username), ("password", "not the password"),
            ])
            let first = try api.expectRefusal(wrongPassword, .badRequest, .post, "/v6/token")
            let unknownUser = try await api.requestToken([
                ("grant_type", "password"), ("username", "nobody"), ("password", VeeamAPIHarness.password),
            ])
            let second = try api.expectRefusal(unknownUser, .badRequest, .post, "/v6/token")
            #expect(first == second)
            #expect(!String(buffer: wrongPassword.body).contains("access_token"))
        }
    }

    @Test(
        "malformed token requests are 400s naming the field",
        arguments: [
            ([("grant_type", "password"), ("password", "x")], "username"),
            ([("grant_type", "password"), ("username", "x")], "password"),
            ([("grant_type", "client_credentials")], "grant_type"),
            ([("grant_type", "refresh_token")], "refresh_token"),
        ])
    func malformedRequests(fields: [(String, String)], field: String) async throws {
        try await VeeamAPIHarness.with { api in
            let response = try await api.requestToken(fields)
            try api.expectRefusal(response, .badRequest, .post, "/v6/token", mentioning: field)
        }
    }

    @Test("the refresh-token grant issues a working pair once; the used refresh token is then refused")
    func refreshGrant() async throws {
        try await VeeamAPIHarness.with { api in
            let first = try api.conformingBody(
                try await api.requestToken([
                    ("grant_type", "password"), ("username", VeeamAPIHarness.username), ("password", VeeamAPIHarness.password),
                ]), .post, "/v6/token")
            let refresh = try #require(first["refresh_token"]?.stringValue)
            let renewed = try await api.requestToken([("grant_type", "refresh_token"), ("refresh_token", refresh)])
            #expect(renewed.status == .ok)
            let second = try api.conformingBody(renewed, .post, "/v6/token")
            #expect(second["userName"]?.stringValue == VeeamAPIHarness.username)
            let access = try #require(second["access_token"]?.stringValue)
            #expect(access != first["access_token"]?.stringValue)
            #expect(try await api.send(.get, "/v6/Jobs", token: access).status == .ok)
            let reused = try await api.requestToken([("grant_type", "refresh_token"), ("refresh_token", refresh)])
            try api.expectRefusal(reused, .badRequest, .post, "/v6/token")
            let unknown = try await api.requestToken([("grant_type", "refresh_token"), ("refresh_token", "made-up")])
            try api.expectRefusal(unknown, .badRequest, .post, "/v6/token")
        }
    }

    @Test("every /v6 operation, and unknown /v6 paths, answer 401 RESTExceptionInfo without a valid access token")
    func protectedPaths() async throws {
        try await VeeamAPIHarness.with { api in
            let job = api.fixture.job.id.wire
            let organization = api.fixture.organization.id.wire
            let operations: [(HTTPRequest.Method, String, String)] = [
                (.get, "/v6/Organizations", "/v6/Organizations"),
                (.get, "/v6/Organizations/\(organization)", "/v6/Organizations/{organizationId}"),
                (.get, "/v6/Jobs", "/v6/Jobs"),
                (.get, "/v6/Jobs/\(job)", "/v6/Jobs/{jobId}"),
                (.post, "/v6/Jobs/\(job)/start", "/v6/Jobs/{jobId}/start"),
                (.get, "/v6/RestorePoints", "/v6/RestorePoints"),
                (.get, "/v6/RestorePoints?organizationId=\(organization)", "/v6/RestorePoints"),
                (.get, "/v6/RestorePoints/\(UUID().wire)", "/v6/RestorePoints/{restorePointId}"),
                (.get, "/v6/BackupRepositories", "/v6/BackupRepositories"),
                (.get, "/v6/NoSuchResource", "/v6/RestorePoints"),
                (.delete, "/v6/Jobs/\(job)", "/v6/Jobs/{jobId}"),
            ]
            let refresh = try api.conformingBody(
                try await api.requestToken([
                    ("grant_type", "password"), ("username", VeeamAPIHarness.username), ("password", VeeamAPIHarness.password),
                ]), .post, "/v6/token")["refresh_token"]?.stringValue
            let expired = try await TokenIssuer(catalog: api.fixture.catalog)
                .issue(for: api.admin, now: Date().addingTimeInterval(-7200)).accessToken
            let credentials: [(String, HTTPFields)] = [
                ("no header", [:]),
                ("unknown token", [.authorization: "Bearer made-up-token"]),
                ("expired token", [.authorization: "Bearer \(expired)"]),
                ("refresh token used as access token", [.authorization: "Bearer \(refresh ?? "")"]),
                ("basic scheme", [.authorization: "Basic dmVlYW0tYWRtaW46eA=="]),
                ("empty bearer", [.authorization: "Bearer "]),
            ]
            for (method, uri, template) in operations {
                for (label, headers) in credentials {
                    let response = try await api.send(method, uri, headers: headers)
                    #expect(response.status == .unauthorized, "\(method) \(uri) with \(label)")
                    try api.expectRefusal(response, .unauthorized, method, template)
                }
            }
            #expect(try await api.fixture.catalog.runs(jobID: api.fixture.job.id).isEmpty, "an anonymous start ran the job")
        }
    }

    @Test("with a token, an unknown /v6 path is a 404 and a method it lacks a 405, RESTExceptionInfo; other paths need a token; /health does not")
    func unknownPathsWithToken() async throws {
        try await VeeamAPIHarness.with { api in
            let token = try await api.signIn()
            try api.expectRefusal(try await api.send(.get, "/v6/NoSuchResource", token: token), .notFound, .get, "/v6/Jobs")
            let delete = try await api.send(.delete, "/v6/RestorePoints", token: token)
            try api.expectRefusal(delete, .methodNotAllowed, .get, "/v6/RestorePoints")
            #expect(delete.headers[.allow] == "GET")
            let outside = try await api.send(.get, "/nowhere")
            #expect(outside.status == .unauthorized, "a path outside every dialect still needs a token, and is no 500")
            #expect(try JSONValue(parsing: String(buffer: outside.body))["message"]?.stringValue?.isEmpty == false)
            let health = try await api.send(.get, "/health")
            #expect(health.status == .ok)
            #expect(String(buffer: health.body).contains("ok"))
        }
    }
}
