import BackupEngine
import Catalog
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import LifeboatModel
import LifeboatServer
import LifeboatTestSupport
import Logging
import NIOCore
import Testing

/// Lifeboat's real application (router, middlewares, backup worker) over a `BackupFixture`, driven through
/// HummingbirdTesting, with one admin user and Veeam's v6 OpenAPI document to hold every answer to.
struct VeeamAPIHarness: Sendable {
    /// The admin user every harness creates.
    static let username = "veeam-admin"
    /// The admin's password.
    static let password = "correct horse battery staple"

    /// The simulated tenant, catalog, repository, organization and whole-tenant job.
    let fixture: BackupFixture
    /// The client talking to the application.
    let client: any TestClientProtocol
    /// The admin principal.
    let admin: Principal
    /// Veeam's document.
    let document: OpenAPIDocument
    /// Every route of the application's router, as `METHOD /path/{parameter}` (paths lower-cased).
    let routes: [String]
    /// The hasher the server verifies passwords with.
    let hasher: SecretHasher

    /// Runs `body` against a fresh application; the worker runs as the application's service and stops afterwards.
    /// - Parameters:
    ///   - hasher: the server's password hasher (cheap by default; a real cost to load the hashing pool).
    ///   - configuration: the server's timeouts, connection cap, hashing pool and sign-in policy.
    ///   - signInThrottle: a failed sign-in limiter with a test clock; by default one with `configuration`'s policy.
    ///   - testing: `.router` to call the router directly, `.live` to serve on a loopback port (`client.port`).
    static func with(
        hasher: SecretHasher = SecretHasher(costLog2: 10), configuration: ServerConfiguration = ServerConfiguration(port: 0),
        signInThrottle: SignInThrottle? = nil, testing: TestingSetup = .router,
        _ body: @escaping @Sendable (VeeamAPIHarness) async throws -> Void
    ) async throws {
        try await BackupFixture.with { fixture in
            var logger = Logger(label: "lifeboat.test.server")
            logger.logLevel = .warning
            let admin = Principal(name: username, kind: .user, scopes: ["admin"])
            try await fixture.catalog.insertPrincipal(StoredCredential(principal: admin, secretHash: try hasher.hash(password)))
            let dependencies = ServerDependencies(
                catalog: fixture.catalog, worker: BackupWorker(runner: fixture.runner, logger: logger),
                restores: fixture.restoreRunner, restoreWorker: RestoreWorker(runner: fixture.restoreRunner, logger: logger),
                issuer: TokenIssuer(catalog: fixture.catalog), hasher: hasher, logger: logger)
            let listingPool = PasswordHashingPool(hasher: hasher)
            let routes = buildRouter(dependencies, hashingPool: listingPool, signInThrottle: SignInThrottle()).routes
                .map { "\($0.method) \($0.path.description.lowercased())" }
            try await listingPool.shutdown()
            let app = buildApplication(configuration, dependencies: dependencies, signInThrottle: signInThrottle)
            try await app.test(testing) { client in
                try await body(
                    VeeamAPIHarness(
                        fixture: fixture, client: client, admin: admin, document: .veeamV6, routes: routes, hasher: hasher))
            }
        }
    }

    /// Sends a request, with `Authorization: Bearer <token>` when a token is given.
    func send(
        _ method: HTTPRequest.Method, _ uri: String, token: String? = nil, headers: HTTPFields = [:], body: String? = nil
    ) async throws -> TestResponse {
        var headers = headers
        if let token { headers[.authorization] = "Bearer \(token)" }
        return try await client.execute(uri: uri, method: method, headers: headers, body: body.map { ByteBuffer(string: $0) })
    }

    /// Posts a form-encoded token request to `path`.
    func requestToken(_ fields: [(String, String)], path: String = "/v6/Token") async throws -> TestResponse {
        let body = fields.map { "\(Self.formEncode($0.0))=\(Self.formEncode($0.1))" }.joined(separator: "&")
        return try await send(.post, path, headers: [.contentType: "application/x-www-form-urlencoded"], body: body)
    }

    /// Signs the admin in with the password grant and returns the access token.
    func signIn(sourceLocation: SourceLocation = #_sourceLocation) async throws -> String {
        let response = try await requestToken([
            ("grant_type", "password"), ("username", Self.username), ("password", Self.password),
        ])
        let body = try conformingBody(response, .post, "/v6/token", sourceLocation: sourceLocation)
        return try #require(body["access_token"]?.stringValue, sourceLocation: sourceLocation)
    }

    /// Checks an answer against the schema Veeam's document gives for its operation and status, and returns its body.
    ///
    /// A status the operation does not list is held to `default` (`RESTExceptionInfo`); an answer whose schema has no
    /// body must be empty. Records an issue for every violation, and for a JSON answer not labelled as JSON.
    @discardableResult
    func conformingBody(
        _ response: TestResponse, _ method: HTTPRequest.Method, _ pathTemplate: String,
        sourceLocation: SourceLocation = #_sourceLocation
    ) throws -> JSONValue {
        let status = Int(response.status.code)
        guard let schema = try document.responseSchema(method, pathTemplate, status: status) else {
            #expect(
                response.body.readableBytes == 0, "\(method) \(pathTemplate) \(status) must have no body",
                sourceLocation: sourceLocation)
            return .null
        }
        let contentType = response.headers[.contentType] ?? ""
        #expect(contentType.hasPrefix("application/json"), "content type was '\(contentType)'", sourceLocation: sourceLocation)
        let text = String(buffer: response.body)
        let body: JSONValue
        do {
            body = try JSONValue(parsing: text)
        } catch {
            Issue.record("\(method) \(pathTemplate) \(status) answered non-JSON: \(text)", sourceLocation: sourceLocation)
            throw error
        }
        let violations = document.validator().violations(of: body, against: schema)
        #expect(
            violations.isEmpty,
            "\(method) \(pathTemplate) \(status) breaks Veeam's schema:\n\(violations.map(\.description).joined(separator: "\n"))",
            sourceLocation: sourceLocation)
        return body
    }

    /// Checks a refusal: the status, `RESTExceptionInfo` per the operation's default response, and a message
    /// containing `mentioning` (a field name, say). Returns the message.
    @discardableResult
    func expectRefusal(
        _ response: TestResponse, _ status: HTTPResponse.Status, _ method: HTTPRequest.Method, _ pathTemplate: String,
        mentioning: String? = nil, sourceLocation: SourceLocation = #_sourceLocation
    ) throws -> String {
        #expect(response.status == status, "\(String(buffer: response.body))", sourceLocation: sourceLocation)
        let body = try conformingBody(response, method, pathTemplate, sourceLocation: sourceLocation)
        let message = try #require(body["message"]?.stringValue, "no message in \(body)", sourceLocation: sourceLocation)
        #expect(!message.isEmpty, sourceLocation: sourceLocation)
        if let mentioning {
            #expect(message.contains(mentioning), "'\(message)' does not name \(mentioning)", sourceLocation: sourceLocation)
        }
        return message
    }

    /// Polls `GET /v6/Jobs/{id}` until the job's last run has ended, and returns the job as answered.
    func waitUntilJobSettles(_ jobID: UUID, token: String, timeout: Duration = .seconds(300)) async throws -> JSONValue {
        let deadline = ContinuousClock.now.advanced(by: timeout)
        while true {
            let response = try await send(.get, "/v6/Jobs/\(jobID.uuidString.lowercased())", token: token)
            let job = try conformingBody(response, .get, "/v6/Jobs/{jobId}")
            let status = job["lastStatus"]?.stringValue ?? ""
            if !["Queued", "Running"].contains(status) { return job }
            guard ContinuousClock.now < deadline else {
                Issue.record("job \(jobID) still \(status) after \(timeout)")
                return job
            }
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    /// `application/x-www-form-urlencoded` encoding of one component.
    static func formEncode(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._*")
        return text.addingPercentEncoding(withAllowedCharacters: allowed)?.replacingOccurrences(of: "%20", with: "+") ?? text
    }
}

extension UUID {
    /// The id as Veeam writes it.
    var wire: String { uuidString.lowercased() }
}
