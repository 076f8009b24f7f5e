import Catalog
import Foundation
import HTTPTypes
import HummingbirdTesting
import LifeboatModel
import LifeboatServer
import LifeboatTestSupport
import NIOCore
import Testing

/// `POST /connect/token` (client credentials) and the scopes and bearer tokens the `/backup/m365` routes require.
@Suite("AvePoint dialect: client-credentials tokens, scopes and authentication")
struct AvePointTokenTests {
    /// Parses an RFC 6749 §5.2 refusal, checks its status, shape and code, and returns its description.
    @discardableResult
    static func expectOAuthError(
        _ response: TestResponse, _ status: HTTPResponse.Status, _ code: String, sourceLocation: SourceLocation = #_sourceLocation
    ) throws -> String {
        #expect(response.status == status, "\(String(buffer: response.body))", sourceLocation: sourceLocation)
        let body = try JSONValue(parsing: String(buffer: response.body))
        #expect(Set(body.objectValue?.keys.map { $0 } ?? []) == ["error", "error_description"], sourceLocation: sourceLocation)
        #expect(body["error"]?.stringValue == code, "\(body)", sourceLocation: sourceLocation)
        #expect(response.headers[.cacheControl] == "no-store", sourceLocation: sourceLocation)
        return body["error_description"]?.stringValue ?? ""
    }

    @Test("the client-credentials grant answers a Bearer token for every granted scope, which opens the AvePoint routes")
    func grant() async throws {
        try await AvePointAPIHarness.with { api in
            let response = try await api.requestToken([
                ("grant_type", "client_credentials"), ("client_id", AvePointAPIHarness.clientID),
                ("client_secret", AvePointAPIHarness.clientSecret),
            ])
            #expect(response.status == .ok)
            #expect(response.headers[.cacheControl] == "no-store")
            let body = try JSONValue(parsing: String(buffer: response.body))
            #expect(Set(body.objectValue?.keys.map { $0 } ?? []) == ["access_token", "expires_in", "token_type", "scope"])
            #expect(body["token_type"]?.stringValue == "Bearer")
            #expect(body["expires_in"]?.integerValue == 3600)
            #expect(body["scope"]?.stringValue == AvePointAPIHarness.scopes.joined(separator: " "))
            let token = try #require(body["access_token"]?.stringValue)
            let backup = try #require(api.backup)
            let job = try await api.send(.get, "/backup/m365/cloudbackupjobs/\(backup.externalID)", token: token)
            try api.envelope(job, .ok)
        }
    }

    @Test("HTTP Basic client authentication works like the form; a wrong Basic secret is a 401 challenge")
    func basicAuthentication() async throws {
        try await AvePointAPIHarness.with(backUp: false) { api in
            func basic(_ id: String, _ secret: String) -> HTTPFields {
                [.authorization: "Basic " + Data("\(id):\(secret)".utf8).base64EncodedString()]
            }
            let good = try await api.requestToken(
                [("grant_type", "client_credentials")], headers: basic(AvePointAPIHarness.clientID, AvePointAPIHarness.clientSecret))
            #expect(good.status == .ok, "\(String(buffer: good.body))")
            let bad = try await api.requestToken(
                [("grant_type", "client_credentials")], headers: basic(AvePointAPIHarness.clientID, "wrong"))
            try Self.expectOAuthError(bad, .unauthorized, "invalid_client")
            #expect(bad.headers[.wwwAuthenticate]?.hasPrefix("Basic") == true)
        }
    }

    @Test("a requested subset of the granted scopes is what the token carries and opens; other routes answer 403")
    func scopeSubset() async throws {
        try await AvePointAPIHarness.with { api in
            let response = try await api.requestToken([
                ("grant_type", "client_credentials"), ("client_id", AvePointAPIHarness.clientID),
                ("client_secret", AvePointAPIHarness.clientSecret), ("scope", "microsoft365backup.JOBINFO.read.all"),
            ])
            let body = try JSONValue(parsing: String(buffer: response.body))
            #expect(body["scope"]?.stringValue == APIScope.jobInfoRead, "the canonical spelling comes back")
            let token = try #require(body["access_token"]?.stringValue)
            let backup = try #require(api.backup)
            try api.envelope(try await api.send(.get, "/backup/m365/cloudbackupjobs/\(backup.externalID)", token: token), .ok)
            let refused = try api.envelope(try await api.postRestoreJob("{}", token: token), .forbidden)
            #expect(refused["message"]?.stringValue?.contains(APIScope.restoreReadWrite) == true, "\(refused)")
            #expect(refused["data"] == .null)
        }
    }

    @Test("a token whose scope suffix was altered is unknown: 401")
    func alteredToken() async throws {
        try await AvePointAPIHarness.with(backUp: false) { api in
            let token = try await api.token(scope: APIScope.jobInfoRead)
            let prefix = try #require(token.split(separator: ".").first)
            let widened = prefix + "." + Data("admin".utf8).base64EncodedString().replacingOccurrences(of: "=", with: "")
            try api.envelope(try await api.send(.get, "/backup/m365/cloudbackupjobs/FB20241015105312327583", token: String(widened)), .unauthorized)
        }
    }

    @Test("scopes not granted, or unknown, are refused with invalid_scope")
    func ungrantedScopes() async throws {
        try await AvePointAPIHarness.with(backUp: false) { api in
            for scope in [APIScope.settingsRead, "admin", "\(APIScope.jobInfoRead) made.up.scope"] {
                let response = try await api.requestToken([
                    ("grant_type", "client_credentials"), ("client_id", AvePointAPIHarness.clientID),
                    ("client_secret", AvePointAPIHarness.clientSecret), ("scope", scope),
                ])
                try Self.expectOAuthError(response, .badRequest, "invalid_scope")
            }
        }
    }

    @Test("a wrong secret, an unknown client and a user's password get the same invalid_client, and no token")
    func refusedClients() async throws {
        try await AvePointAPIHarness.with(backUp: false) { api in
            try await api.fixture.catalog.insertPrincipal(
                StoredCredential(
                    principal: Principal(name: "veeam-user", kind: .user, scopes: ["admin"]), secretHash: try api.hasher.hash("user-password")))
            var descriptions: [String] = []
            for (id, secret) in [
                (AvePointAPIHarness.clientID, "not the secret"), ("no-such-client", AvePointAPIHarness.clientSecret),
                ("veeam-user", "user-password"),
            ] {
                let response = try await api.requestToken([
                    ("grant_type", "client_credentials"), ("client_id", id), ("client_secret", secret),
                ])
                descriptions.append(try Self.expectOAuthError(response, .badRequest, "invalid_client"))
                #expect(!String(buffer: response.body).contains("access_token"))
            }
            #expect(Set(descriptions).count == 1, "the refusals cannot be told apart: \(descriptions)")
        }
    }

    @Test(
        "malformed token requests are RFC 6749 refusals",
        arguments: [
            ([("grant_type", "password"), ("client_id", "x"), ("client_secret", "y")], "unsupported_grant_type"),
            ([("grant_type", "refresh_token"), ("refresh_token", "y")], "unsupported_grant_type"),
            ([("client_id", "x"), ("client_secret", "y")], "invalid_request"),
            ([("grant_type", "client_credentials"), ("client_secret", "y")], "invalid_request"),
            ([("grant_type", "client_credentials"), ("client_id", "x")], "invalid_request"),
        ])
    func malformedRequests(fields: [(String, String)], code: String) async throws {
        try await AvePointAPIHarness.with(backUp: false) { api in
            try Self.expectOAuthError(try await api.requestToken(fields), .badRequest, code)
        }
    }

    @Test("an application cannot sign in through Veeam's password grant")
    func applicationsStayOutOfVeeam() async throws {
        try await AvePointAPIHarness.with(backUp: false) { api in
            let response = try await api.send(
                .post, "/v6/token", headers: [.contentType: "application/x-www-form-urlencoded"],
                body: "grant_type=password&username=\(AvePointAPIHarness.clientID)&password=\(VeeamAPIHarness.formEncode(AvePointAPIHarness.clientSecret))")
            #expect(response.status == .badRequest)
        }
    }

    @Test("without a valid token every /backup/m365 path answers 401 in the envelope; Veeam paths keep Veeam's shape")
    func unauthenticated() async throws {
        try await AvePointAPIHarness.with(backUp: false) { api in
            let expired = try await TokenIssuer(catalog: api.fixture.catalog)
                .issue(for: try #require(try await api.fixture.catalog.credential(name: AvePointAPIHarness.clientID)).principal,
                       now: Date().addingTimeInterval(-7200)).accessToken
            let credentials: [HTTPFields] = [
                [:], [.authorization: "Bearer made-up"], [.authorization: "Bearer \(expired)"], [.authorization: "Basic eDp5"],
            ]
            for headers in credentials {
                for (method, uri) in [
                    (HTTPRequest.Method.post, "/backup/m365/restore/jobs"), (.get, "/backup/m365/cloudbackupjobs/RS202602270354220001"),
                    (.get, "/backup/m365/nowhere"), (.get, "/BACKUP/M365/CloudBackupJobs/x"),
                ] {
                    let body = try api.envelope(try await api.send(method, uri, headers: headers, body: "{}"), .unauthorized)
                    #expect(body["message"]?.stringValue?.isEmpty == false)
                }
            }
            let veeam = try await api.send(.get, "/v6/Jobs")
            #expect(veeam.status == .unauthorized)
            let shape = try JSONValue(parsing: String(buffer: veeam.body))
            #expect(Set(shape.objectValue?.keys.map { $0 } ?? []) == ["message"], "Veeam's RESTExceptionInfo, not the envelope")
        }
    }

    @Test("a token without the scope gets 403 from both routes; admin satisfies every scope, users' Veeam tokens included")
    func scopes() async throws {
        try await AvePointAPIHarness.with { api in
            let backup = try #require(api.backup)
            let jobPath = "/backup/m365/cloudbackupjobs/\(backup.externalID)"
            let settingsOnly = try await api.addApplication("settings-reader", scopes: [APIScope.settingsRead])
            let limited = try await api.token(clientID: settingsOnly.clientID, secret: settingsOnly.secret)
            try api.envelope(try await api.send(.get, jobPath, token: limited), .forbidden)
            try api.envelope(try await api.postRestoreJob("{}", token: limited), .forbidden)

            let admin = try await api.addApplication("admin-app", scopes: [APIScope.admin])
            let adminToken = try await api.token(clientID: admin.clientID, secret: admin.secret)
            try api.envelope(try await api.send(.get, jobPath, token: adminToken), .ok)
            try api.expectFieldErrors(try await api.postRestoreJob("{}", token: adminToken), ["ServiceType", "RecoveryDateTime"])

            try await api.fixture.catalog.insertPrincipal(
                StoredCredential(
                    principal: Principal(name: "veeam-admin", kind: .user, scopes: [APIScope.admin]),
                    secretHash: try api.hasher.hash("veeam-admin-password")))
            let signIn = try await api.send(
                .post, "/v6/token", headers: [.contentType: "application/x-www-form-urlencoded"],
                body: "grant_type=password&username=veeam-admin&password=veeam-admin-password")
            let userToken = try #require(try JSONValue(parsing: String(buffer: signIn.body))["access_token"]?.stringValue)
            try api.envelope(try await api.send(.get, jobPath, token: userToken), .ok)
        }
    }

    @Test("with a token, unknown /backup/m365 paths and methods are 404s in the envelope")
    func unknownPaths() async throws {
        try await AvePointAPIHarness.with(backUp: false) { api in
            let token = try await api.token()
            for (method, uri) in [
                (HTTPRequest.Method.get, "/backup/m365/nowhere"), (.get, "/backup/m365/restore/jobs"), (.get, "/backup/m365"),
                (.delete, "/backup/m365/cloudbackupjobs/RS202602270354220001"),
            ] {
                let response = try await api.send(method, uri, token: token)
                #expect([.notFound, .methodNotAllowed].contains(response.status), "\(method) \(uri)")
                try api.envelope(response, response.status)
            }
        }
    }
}
