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
import M365Simulator
import NIOCore
import Testing

/// Lifeboat's real application (router, middlewares, backup and restore workers) over a `BackupFixture` that has been
/// backed up once, driven through HummingbirdTesting, with one application registration holding AvePoint's restore and
/// job-info scopes. Every `/backup/m365` answer can be held to the envelope with `envelope(_:_:)`.
struct AvePointAPIHarness: Sendable {
    /// The client id of the application every harness registers.
    static let clientID = "avepoint-app"
    /// Its client secret.
    static let clientSecret = "a-client-secret-of-forty-characters-long!"
    /// Its scopes: what the restore and job-details routes need.
    static let scopes = [APIScope.restoreReadWrite, APIScope.jobInfoRead]

    /// The simulated tenant, catalog, repository, organization and whole-tenant job.
    let fixture: BackupFixture
    /// The client talking to the application.
    let client: any TestClientProtocol
    /// The hasher the server verifies secrets with (cheap, for tests).
    let hasher: SecretHasher
    /// The backup run `with` made before `body`, or nil when asked not to back up.
    let backup: JobRun?

    /// Runs `body` against a fresh application; the workers run as the application's services and stop afterwards.
    /// - Parameter backUp: run the fixture's job once first (every test resolving paths needs it).
    static func with(
        _ spec: TenantSpec = .small(seed: 11), backUp: Bool = true,
        _ body: @escaping @Sendable (AvePointAPIHarness) async throws -> Void
    ) async throws {
        try await BackupFixture.with(spec) { fixture in
            var logger = Logger(label: "lifeboat.test.server")
            logger.logLevel = .warning
            let hasher = SecretHasher(costLog2: 10)
            let application = Principal(name: clientID, kind: .application, scopes: scopes)
            try await fixture.catalog.insertPrincipal(
                StoredCredential(principal: application, secretHash: try hasher.hash(clientSecret)))
            let backup = backUp ? try await fixture.backUp() : nil
            let dependencies = ServerDependencies(
                catalog: fixture.catalog, worker: BackupWorker(runner: fixture.runner, logger: logger),
                restores: fixture.restoreRunner, restoreWorker: RestoreWorker(runner: fixture.restoreRunner, logger: logger),
                issuer: TokenIssuer(catalog: fixture.catalog), hasher: hasher, logger: logger)
            let app = buildApplication(ServerConfiguration(port: 0), dependencies: dependencies)
            try await app.test(.router) { client in
                try await body(AvePointAPIHarness(fixture: fixture, client: client, hasher: hasher, backup: backup))
            }
        }
    }

    // MARK: Requests

    /// Sends a request, with `Authorization: Bearer <token>` when a token is given.
    func send(
        _ method: HTTPRequest.Method, _ uri: String, token: String? = nil, headers: HTTPFields = [:], body: String? = nil
    ) async throws -> TestResponse {
        var headers = headers
        if let token { headers[.authorization] = "Bearer \(token)" }
        return try await client.execute(uri: uri, method: method, headers: headers, body: body.map { ByteBuffer(string: $0) })
    }

    /// Posts a form-encoded request to `POST /connect/token`.
    func requestToken(_ fields: [(String, String)], headers: HTTPFields = [:]) async throws -> TestResponse {
        var headers = headers
        headers[.contentType] = "application/x-www-form-urlencoded"
        let body = fields.map { "\(VeeamAPIHarness.formEncode($0.0))=\(VeeamAPIHarness.formEncode($0.1))" }.joined(separator: "&")
        return try await send(.post, "/connect/token", headers: headers, body: body)
    }

    /// A client-credentials access token of the harness's application (or another), for `scope` when given.
    func token(
        clientID: String = clientID, secret: String = clientSecret, scope: String? = nil,
        sourceLocation: SourceLocation = #_sourceLocation
    ) async throws -> String {
        var fields = [("grant_type", "client_credentials"), ("client_id", clientID), ("client_secret", secret)]
        if let scope { fields.append(("scope", scope)) }
        let response = try await requestToken(fields)
        #expect(response.status == .ok, "\(String(buffer: response.body))", sourceLocation: sourceLocation)
        let body = try JSONValue(parsing: String(buffer: response.body))
        return try #require(body["access_token"]?.stringValue, sourceLocation: sourceLocation)
    }

    /// Registers another application with `scopes` and returns its client id and secret.
    func addApplication(_ name: String, scopes: [String]) async throws -> (clientID: String, secret: String) {
        let secret = "secret-of-\(name)-\(UUID().uuidString)"
        try await fixture.catalog.insertPrincipal(
            StoredCredential(
                principal: Principal(name: name, kind: .application, scopes: scopes), secretHash: try hasher.hash(secret)))
        return (name, secret)
    }

    /// Posts a restore job body (raw text, so malformed bodies can be sent) to `/backup/m365/restore/jobs` + `query`.
    func postRestoreJob(_ body: String, token: String, query: String = "") async throws -> TestResponse {
        try await send(
            .post, "/backup/m365/restore/jobs" + query, token: token, headers: [.contentType: "application/json"], body: body)
    }

    // MARK: The envelope

    /// Checks an answer is AvePoint's envelope with the given status: JSON with exactly the seven keys, `statusCode`
    /// equal to the HTTP status, `requestId` like `0HNEVHLNSPSEJ:00000008`, `traceId` a W3C traceparent and
    /// `timestamp` ISO 8601 UTC with seven fractional digits. Returns the body.
    @discardableResult
    func envelope(
        _ response: TestResponse, _ status: HTTPResponse.Status, sourceLocation: SourceLocation = #_sourceLocation
    ) throws -> JSONValue {
        let text = String(buffer: response.body)
        #expect(response.status == status, "\(text)", sourceLocation: sourceLocation)
        let contentType = response.headers[.contentType] ?? ""
        #expect(contentType.hasPrefix("application/json"), "content type was '\(contentType)'", sourceLocation: sourceLocation)
        let body = try JSONValue(parsing: text)
        let keys = Set(body.objectValue?.keys.map { $0 } ?? [])
        #expect(
            keys == ["statusCode", "message", "errors", "data", "requestId", "timestamp", "traceId"], "keys of \(text)",
            sourceLocation: sourceLocation)
        #expect(body["statusCode"]?.integerValue == Int64(status.code), sourceLocation: sourceLocation)
        #expect(body["message"]?.stringValue != nil, sourceLocation: sourceLocation)
        #expect(body["errors"]?.arrayValue != nil, sourceLocation: sourceLocation)
        for (value, pattern) in [
            (body["requestId"], #/[0-9A-V]{13}:[0-9A-F]{8}/#),
            (body["traceId"], #/00-[0-9a-f]{32}-[0-9a-f]{16}-00/#),
            (body["timestamp"], #/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{7}Z/#),
        ] {
            let string = value?.stringValue ?? ""
            #expect(string.wholeMatch(of: pattern) != nil, "'\(string)' in \(text)", sourceLocation: sourceLocation)
        }
        if let timestamp = body["timestamp"]?.stringValue,
            let date = try? Date(String(timestamp.prefix(19)) + "Z", strategy: .iso8601)
        {
            #expect(abs(date.timeIntervalSinceNow) < 300, "timestamp \(timestamp) is the request's time", sourceLocation: sourceLocation)
        }
        return body
    }

    /// Checks a 400 envelope with message `Bad Request` whose errors are all `InvalidParameter` and name exactly
    /// `fields` (in any order, each as often as listed). Returns the errors as `field → message`.
    @discardableResult
    func expectFieldErrors(
        _ response: TestResponse, _ fields: [String], sourceLocation: SourceLocation = #_sourceLocation
    ) throws -> [String: String] {
        let body = try envelope(response, .badRequest, sourceLocation: sourceLocation)
        #expect(body["message"]?.stringValue == "Bad Request", sourceLocation: sourceLocation)
        #expect(body["data"] == .null, sourceLocation: sourceLocation)
        let errors = body["errors"]?.arrayValue ?? []
        var messages: [String: String] = [:]
        for error in errors {
            #expect(error["code"]?.stringValue == "InvalidParameter", sourceLocation: sourceLocation)
            let message = error["message"]?.stringValue ?? ""
            #expect(!message.isEmpty, sourceLocation: sourceLocation)
            messages[error["field"]?.stringValue ?? "", default: ""] += message
        }
        let named = errors.compactMap { $0["field"]?.stringValue }.sorted()
        #expect(named == fields.sorted(), "errors: \(String(buffer: response.body))", sourceLocation: sourceLocation)
        return messages
    }

    /// Polls `GET /backup/m365/cloudbackupjobs/{id}` until the job is no longer `In Progress`; returns its `data`.
    func waitUntilJobSettles(_ jobID: String, token: String, timeout: Duration = .seconds(300)) async throws -> JSONValue {
        let deadline = ContinuousClock.now.advanced(by: timeout)
        while true {
            let response = try await send(.get, "/backup/m365/cloudbackupjobs/\(jobID)", token: token)
            let job = try #require(try envelope(response, .ok)["data"])
            if job["state"]?.stringValue != "In Progress" { return job }
            guard ContinuousClock.now < deadline else {
                Issue.record("job \(jobID) still in progress after \(timeout)")
                return job
            }
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    // MARK: The backed-up tenant

    /// What the latest restore point holds of one drive, by path relative to the drive's root (`Folder/Sub/file.txt`).
    struct BackedUpDrive: Sendable {
        var drive: ProtectedDrive
        var point: RestorePoint
        /// Files and folders by path (the root excluded).
        var items: [String: ItemVersion]

        /// Folder paths, shortest first.
        var folders: [String] { items.filter { $0.value.isFolder }.keys.sorted { ($0.count, $0) < ($1.count, $1) } }
        /// File paths, in order.
        var files: [String] { items.filter { !$0.value.isFolder }.keys.sorted() }

        /// The items at or below `path` (itself included).
        func subtree(_ path: String) -> [String] {
            items.keys.filter { $0 == path || $0.hasPrefix(path + "/") }.sorted()
        }

        /// A folder holding at least one file, and a file outside it: the seed's pair of targets.
        func folderAndOutsideFile() -> (folder: String, file: String)? {
            for folder in folders where subtree(folder).contains(where: { items[$0]?.isFolder == false }) {
                if let file = files.first(where: { !$0.hasPrefix(folder + "/") }) { return (folder, file) }
            }
            return nil
        }
    }

    /// The backed-up drives of the fixture's organization, libraries first (by site URL and name), then OneDrives.
    func backedUpDrives() async throws -> [BackedUpDrive] {
        let point = try #require(try await fixture.catalog.restorePoints(RestorePointFilter(jobID: fixture.job.id)).first)
        var drives: [BackedUpDrive] = []
        for drive in try await fixture.catalog.drives(organizationID: fixture.organization.id) {
            let rows = try await fixture.catalog.items(
                jobID: fixture.job.id, driveID: drive.driveID, at: point.sequence, options: PointInTimeOptions())
            let byID = Dictionary(rows.map { ($0.itemID, $0) }, uniquingKeysWith: { first, _ in first })
            var items: [String: ItemVersion] = [:]
            for row in rows where !row.isRoot {
                var names = [row.name]
                var parent = row.parentID.flatMap { byID[$0] }
                while let folder = parent, !folder.isRoot {
                    names.insert(folder.name, at: 0)
                    parent = folder.parentID.flatMap { byID[$0] }
                }
                items[names.joined(separator: "/")] = row
            }
            drives.append(BackedUpDrive(drive: drive, point: point, items: items))
        }
        return drives.sorted {
            ($0.drive.kind == .oneDrive ? 1 : 0, $0.drive.siteURL ?? $0.drive.ownerUPN ?? "", $0.drive.name)
                < ($1.drive.kind == .oneDrive ? 1 : 0, $1.drive.siteURL ?? $1.drive.ownerUPN ?? "", $1.drive.name)
        }
    }

    /// The first backed-up document library that has a folder with files and a file outside it.
    func sampleLibrary() async throws -> (library: BackedUpDrive, folder: String, file: String) {
        for library in try await backedUpDrives() where library.drive.kind == .documentLibrary {
            if let (folder, file) = library.folderAndOutsideFile() { return (library, folder, file) }
        }
        throw HarnessError("no backed-up library has a folder with files and a file outside it")
    }

    /// The first backed-up OneDrive with a folder holding files and a file outside it.
    func sampleOneDrive() async throws -> (oneDrive: BackedUpDrive, folder: String, file: String) {
        for drive in try await backedUpDrives() where drive.drive.kind == .oneDrive {
            if let (folder, file) = drive.folderAndOutsideFile() { return (drive, folder, file) }
        }
        throw HarnessError("no backed-up OneDrive has a folder with files and a file outside it")
    }

    /// A setup failure of the harness itself.
    struct HarnessError: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }
}

extension Date {
    /// The time as AvePoint's `recoveryDateTime` takes it, `yyyy-MM-ddTHH:mm:ssZ`, rounded up to the next second so a
    /// backup taken at this instant is at or before it.
    var avePointRecoveryTime: String {
        Date(timeIntervalSince1970: timeIntervalSince1970.rounded(.up)).formatted(Date.ISO8601FormatStyle())
    }
}
