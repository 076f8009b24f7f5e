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

@Suite("HTTP refusals: bodies over a route's limit (413) and methods a path lacks (405), in each dialect's shape")
struct HTTPRefusalTests {
    /// How a route's refusals look.
    enum Dialect: Sendable {
        /// Veeam's `RESTExceptionInfo`, held to the schema of the operation at this template of Veeam's document.
        case veeam(template: String)
        /// AvePoint's envelope.
        case avePoint
        /// RFC 6749 §5.2 JSON (`/connect/token`).
        case oauth
    }

    /// Every route that reads a body, by `METHOD /path` as the router lists it, with its refusal shape.
    static let bodyReadingRoutes: [String: Dialect] = [
        "POST /v6/token": .veeam(template: "/v6/token"),
        "POST /v6/jobs/{jobid}/start": .veeam(template: "/v6/Jobs/{jobId}/start"),
        "PUT /v6/jobs/{jobid}": .veeam(template: "/v6/Jobs/{jobId}"),
        "POST /v6/jobs/{jobid}/explore": .veeam(template: "/v6/Jobs/{jobId}/explore"),
        "POST /v6/restoresessions/{restoresessionid}/organization/onedrives/restore":
            .veeam(template: VeeamOneDriveActionTests.v6Equivalent),
        // Veeam's v6 document has no v3 paths: held to the v6 bulk restore's error schema.
        "POST /v3/restoresessions/{restoresessionid}/organization/onedrives/action":
            .veeam(template: VeeamOneDriveActionTests.v6Equivalent),
        "POST /backup/m365/restore/jobs": .avePoint,
        "POST /connect/token": .oauth,
    ]

    /// Routes with a method that may carry a body, but that read none (what they do does not depend on it).
    static let bodylessRoutes: Set<String> = [
        "POST /v6/restoresessions/{restoresessionid}/stop", "POST /v6/jobs/{jobid}/enable", "POST /v6/jobs/{jobid}/disable",
    ]

    /// The route's path with each `{parameter}` replaced by a fresh id.
    static func concrete(_ path: Substring) -> String {
        path.split(separator: "/").map { $0.hasPrefix("{") ? UUID().wire : String($0) }.joined(separator: "/")
            .withLeadingSlash
    }

    @Test("every route that reads a body answers a body over its limit with 413 in its dialect's shape, declared or streamed")
    func oversizedBodies() async throws {
        try await VeeamAPIHarness.with { api in
            let token = try await api.signIn()
            let writing = Set(api.routes.filter { !$0.hasPrefix("GET ") && !$0.hasPrefix("HEAD ") })
            #expect(
                writing == Set(Self.bodyReadingRoutes.keys).union(Self.bodylessRoutes),
                "a route that takes a body must be listed here, with its refusal shape")
            let oversized = String(repeating: "a", count: 2 << 20)
            for (route, dialect) in Self.bodyReadingRoutes.sorted(by: { $0.key < $1.key }) {
                let parts = route.split(separator: " ", maxSplits: 1)
                let method = HTTPRequest.Method(String(parts[0]))!
                let uri = Self.concrete(parts[1])
                // With Content-Length the refusal comes before the body is read; without, once the limit is passed.
                for declared in [true, false] {
                    var headers: HTTPFields = [.contentType: "application/json"]
                    if declared { headers[.contentLength] = "\(oversized.utf8.count)" }
                    let response = try await api.send(method, uri, token: token, headers: headers, body: oversized)
                    try Self.expectTooLarge(response, dialect, method: method, api: api, route: "\(route) (declared: \(declared))")
                }
            }
            // The reported case: 100 KiB to explore, far more than its options ever take.
            let explore = try await api.send(
                .post, "/v6/Jobs/\(api.fixture.job.id.wire)/explore", token: token,
                headers: [.contentType: "application/json"], body: String(repeating: " ", count: 100 * 1024))
            try Self.expectTooLarge(explore, .veeam(template: "/v6/Jobs/{jobId}/explore"), api: api, route: "explore 100 KiB")
            // A body within the limit still works.
            let fine = try await api.send(
                .post, "/v6/Jobs/\(api.fixture.job.id.wire)/explore", token: token,
                headers: [.contentType: "application/json"], body: VeeamRestoreSessionTests.seedBody)
            #expect(fine.status == .ok)
        }
    }

    static func expectTooLarge(
        _ response: TestResponse, _ dialect: Dialect, method: HTTPRequest.Method = .post, api: VeeamAPIHarness, route: String
    ) throws {
        #expect(response.status == .contentTooLarge, "\(route): \(response.status) \(String(buffer: response.body).prefix(300))")
        switch dialect {
        case .veeam(let template):
            let message = try api.expectRefusal(response, .contentTooLarge, method, template)
            #expect(message.contains("too large"), "\(route): \(message)")
        case .avePoint:
            let body = try JSONValue(parsing: String(buffer: response.body))
            #expect(
                Set(body.objectValue?.keys.map { $0 } ?? [])
                    == ["statusCode", "message", "errors", "data", "requestId", "timestamp", "traceId"], "\(route): \(body)")
            #expect(body["statusCode"]?.integerValue == 413, "\(route)")
            #expect(body["message"]?.stringValue?.contains("too large") == true, "\(route): \(body)")
        case .oauth:
            let body = try JSONValue(parsing: String(buffer: response.body))
            #expect(body["error"]?.stringValue == "invalid_request", "\(route): \(body)")
            #expect(body["error_description"]?.stringValue?.contains("too large") == true, "\(route): \(body)")
        }
    }

    @Test("a known path with a method it lacks is a 405 with Allow in the dialect's shape; an unknown path stays a 404")
    func methodNotAllowed() async throws {
        try await VeeamAPIHarness.with { api in
            let token = try await api.signIn()
            let trace = try await api.send(.trace, "/v6/Jobs", token: token)
            try api.expectRefusal(trace, .methodNotAllowed, .get, "/v6/Jobs")
            #expect(trace.headers[.allow] == "GET")

            let deleteJob = try await api.send(.delete, "/v6/jobs/\(api.fixture.job.id.wire)", token: token)
            try api.expectRefusal(deleteJob, .methodNotAllowed, .get, "/v6/Jobs/{jobId}")
            #expect(deleteJob.headers[.allow] == "GET, PUT")

            let getStart = try await api.send(.get, "/v6/Jobs/\(api.fixture.job.id.wire)/start", token: token)
            try api.expectRefusal(getStart, .methodNotAllowed, .post, "/v6/Jobs/{jobId}/start")
            #expect(getStart.headers[.allow] == "POST")

            let putRestore = try await api.send(.put, "/backup/m365/restore/jobs", token: token, body: "{}")
            #expect(putRestore.status == .methodNotAllowed)
            #expect(putRestore.headers[.allow] == "POST")
            let envelope = try JSONValue(parsing: String(buffer: putRestore.body))
            #expect(envelope["statusCode"]?.integerValue == 405)
            #expect(envelope["requestId"]?.stringValue?.isEmpty == false)

            let getToken = try await api.send(.get, "/connect/token", token: token)
            #expect(getToken.status == .methodNotAllowed)
            #expect(getToken.headers[.allow] == "POST")

            try api.expectRefusal(try await api.send(.trace, "/v6/NoSuchThing", token: token), .notFound, .get, "/v6/Jobs")
            // Without a token a caller learns nothing of the routes: still 401.
            try api.expectRefusal(try await api.send(.trace, "/v6/Jobs"), .unauthorized, .get, "/v6/Jobs")
        }
    }
}

extension String {
    /// The string with one leading `/`.
    fileprivate var withLeadingSlash: String { hasPrefix("/") ? self : "/" + self }
}
