import AsyncHTTPClient
import Foundation
import Logging
import M365Simulator
import NIOCore
import NIOHTTP1

/// A running simulator plus an HTTP client that does not follow redirects, for one test.
struct SimulatorHarness {
    let simulator: RunningSimulator
    let client: HTTPClient
    let token: String

    /// A response reduced to what tests assert on.
    struct Reply {
        var status: Int
        var headers: HTTPHeaders
        var body: [UInt8]
        var json: [String: Any] { (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any] ?? [:] }
        var text: String { String(decoding: body, as: UTF8.self) }
    }

    /// Starts a simulator for `spec`, fetches a token, runs `body`, and always shuts both down.
    static func with<T>(
        _ spec: TenantSpec = .small(seed: 7),
        configure: (inout SimulatorConfiguration) -> Void = { _ in },
        _ body: (SimulatorHarness) async throws -> T
    ) async throws -> T {
        var configuration = SimulatorConfiguration(tenant: spec)
        configure(&configuration)
        var logger = Logger(label: "M365SimulatorTests")
        logger.logLevel = .warning
        let simulator = try await RunningSimulator.start(configuration, logger: logger)
        var clientConfiguration = HTTPClient.Configuration()
        clientConfiguration.redirectConfiguration = .disallow
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: clientConfiguration)
        do {
            let token = try await fetchToken(client: client, simulator: simulator, secret: simulator.clientSecret).json["access_token"]
                as? String ?? ""
            let result = try await body(SimulatorHarness(simulator: simulator, client: client, token: token))
            try await client.shutdown()
            try await simulator.shutdown()
            return result
        } catch {
            try? await client.shutdown()
            try? await simulator.shutdown()
            throw error
        }
    }

    static func fetchToken(client: HTTPClient, simulator: RunningSimulator, secret: String, tenant: String? = nil) async throws
        -> Reply
    {
        var request = HTTPClientRequest(url: "\(simulator.loginBaseURL)/\(tenant ?? simulator.tenantID)/oauth2/v2.0/token")
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
        let secretEncoded = secret.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? secret
        let form =
            "client_id=\(simulator.clientID)&client_secret=\(secretEncoded)&scope=https%3A%2F%2Fgraph.microsoft.com%2F.default&grant_type=client_credentials"
        request.body = .bytes(ByteBuffer(string: form))
        return try await execute(client: client, request)
    }

    static func execute(client: HTTPClient, _ request: HTTPClientRequest) async throws -> Reply {
        let response = try await client.execute(request, timeout: .seconds(60))
        let body = try await response.body.collect(upTo: 64 << 20)
        return Reply(status: Int(response.status.code), headers: response.headers, body: Array(body.readableBytesView))
    }

    /// Sends a request; `path` is absolute ("http://...") or relative to the Graph base ("/drives/...").
    func send(
        _ method: HTTPMethod, _ path: String, headers: [(String, String)] = [], body: [UInt8]? = nil, json: Any? = nil,
        authorized: Bool = true
    ) async throws -> Reply {
        let url = path.hasPrefix("http") ? path : simulator.graphBaseURL + path
        var request = HTTPClientRequest(url: url)
        request.method = method
        if authorized { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let json {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: json)))
        } else if let body {
            request.body = .bytes(ByteBuffer(bytes: body))
        }
        return try await Self.execute(client: client, request)
    }

    func get(_ path: String, headers: [(String, String)] = [], authorized: Bool = true) async throws -> Reply {
        try await send(.GET, path, headers: headers, authorized: authorized)
    }

    /// Follows `@odata.nextLink` until the `@odata.deltaLink`; returns every item and the delta link.
    func fullDelta(_ start: String) async throws -> (items: [DeltaEntry], deltaLink: String, pages: Int) {
        var url = start
        var items: [DeltaEntry] = []
        var pages = 0
        while true {
            let reply = try await get(url)
            guard reply.status == 200 else { throw HarnessError.unexpected(reply.status, reply.text) }
            pages += 1
            items += (reply.json["value"] as? [[String: Any]] ?? []).map(DeltaEntry.init)
            if let next = reply.json["@odata.nextLink"] as? String {
                url = next
            } else if let delta = reply.json["@odata.deltaLink"] as? String {
                return (items, delta, pages)
            } else {
                throw HarnessError.unexpected(reply.status, "page without nextLink or deltaLink")
            }
        }
    }

    /// Follows a 302 from `/content` and returns the downloaded bytes.
    func download(_ path: String) async throws -> [UInt8] {
        let redirect = try await get(path)
        guard redirect.status == 302, let location = redirect.headers.first(name: "Location") else {
            throw HarnessError.unexpected(redirect.status, redirect.text)
        }
        let reply = try await get(location, authorized: false)
        guard reply.status == 200 else { throw HarnessError.unexpected(reply.status, reply.text) }
        return reply.body
    }

    enum HarnessError: Error {
        case unexpected(Int, String)
    }
}

/// Graph error code of a reply (`error.code`).
func errorCode(_ reply: SimulatorHarness.Reply) -> String? {
    (reply.json["error"] as? [String: Any])?["code"] as? String
}

/// The fields of a delta item tests assert on, extracted from Graph JSON (Sendable, unlike `[String: Any]`).
struct DeltaEntry: Sendable, Equatable {
    var id: String
    var name: String?
    var cTag: String?
    var size: Int?
    var parentID: String?
    var parentDriveID: String?
    var hasParentPath: Bool
    var isRoot: Bool
    var isFile: Bool
    var isFolder: Bool
    var isDeleted: Bool
    var quickXorHash: String?
    var downloadURL: String?
    var childCount: Int?

    init(_ json: [String: Any]) {
        id = json["id"] as? String ?? ""
        name = json["name"] as? String
        cTag = json["cTag"] as? String
        size = json["size"] as? Int
        let parent = json["parentReference"] as? [String: Any]
        parentID = parent?["id"] as? String
        parentDriveID = parent?["driveId"] as? String
        hasParentPath = parent?["path"] != nil
        isRoot = json["root"] != nil
        let file = json["file"] as? [String: Any]
        isFile = file != nil
        isFolder = json["folder"] != nil
        isDeleted = (json["deleted"] as? [String: Any])?["state"] as? String == "deleted"
        quickXorHash = (file?["hashes"] as? [String: Any])?["quickXorHash"] as? String
        downloadURL = json["@microsoft.graph.downloadUrl"] as? String
        childCount = (json["folder"] as? [String: Any])?["childCount"] as? Int
    }
}
