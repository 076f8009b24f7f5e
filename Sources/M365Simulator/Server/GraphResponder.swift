import Foundation
import Hummingbird
import Logging
import NIOCore

/// Answers every HTTP request of the simulator: token endpoint, Graph v1.0, download and upload URLs, admin API.
///
/// Graph addresses items with `:/path:` segments the trie router cannot express, so this responder parses paths itself.
struct GraphResponder: HTTPResponder {
    typealias Context = BasicRequestContext

    let tenant: SimulatedTenant
    let log: RequestLog
    let faults: FaultInjector
    let configuration: SimulatorConfiguration
    let logger: Logger

    /// Per-request facts the handlers need to build links and error bodies.
    struct Call {
        var request: Request
        var baseURL: String
        var requestID: String
        var clientRequestID: String
        var query: [String: String]
        /// Share of a download body to send before closing the connection, when the fault plan cuts this one.
        var cutBodyAfter: Double?
        /// Whether the file gets new content of the same length once its body is cut.
        var changeContentAfterCut = false
        /// How slowly to send a download body, when the fault plan slows this one.
        var pacing: FaultInjector.Pacing?
        var graphBaseURL: String { baseURL + "/v1.0" }
    }

    func respond(to request: Request, context: BasicRequestContext) async throws -> Response {
        let sent = request.uri
        var request = Self.canonicalized(request)
        let authority = request.head.authority ?? "\(configuration.host):\(configuration.port)"
        let requestID = UUID().uuidString.lowercased()
        var call = Call(
            request: request, baseURL: "http://\(authority)", requestID: requestID,
            clientRequestID: request.headers[HTTPFields.Element.Name("client-request-id")!] ?? requestID,
            query: Self.parseQuery(request.uri.query ?? ""))
        if request.method == .post, request.uri.path == "/v1.0/$batch" {
            return await batchResponse(call, context: context)
        }
        var fault: SimulatedFault?
        var response: Response
        let charge = await faults.charge(
            method: request.method.rawValue, path: request.uri.path, query: request.uri.query ?? "")
        do {
            let decision: FaultInjector.Decision
            if let retryAfter = charge?.retryAfterSeconds {
                decision = .answer(
                    await faults.overBudget(
                        retryAfterSeconds: retryAfter, method: request.method.rawValue, path: request.uri.path))
            } else if request.uri.path.hasPrefix("/upload/"),
                await tenant.uploadSessionExpiredByFault(id: String(request.uri.path.dropFirst("/upload/".count)))
            {
                decision = .answer(.expiredUploadSession)
            } else if let upload = Self.uploadRequest(request) {
                decision = await faults.decideUpload(upload)
            } else {
                decision = await faults.decide(method: request.method.rawValue, path: request.uri.path)
            }
            switch decision {
            case .none:
                response = try await route(call, request: &request)
            case .answer(let injected):
                fault = injected
                response = Self.answer(injected, call)
            case .cutBody(let share, let thenChangeContent):
                call.cutBodyAfter = share
                call.changeContentAfterCut = thenChangeContent
                response = try await route(call, request: &request)
                if let sent = response.headers[Self.cutAfterHeader].flatMap(Int.init) {
                    response.headers[Self.cutAfterHeader] = nil
                    fault = .connectionReset(afterBytes: sent)
                }
            case .pace(let pacing):
                if let delay = pacing.firstByteDelay {
                    try await Task.sleep(for: delay)
                    fault = .slowFirstByte
                }
                call.pacing = pacing
                response = try await route(call, request: &request)
                if pacing.chunkDelay != nil, response.status == .ok || response.status == .partialContent {
                    fault = .slowBody
                }
                if let sent = response.headers[Self.stallAfterHeader].flatMap(Int.init) {
                    response.headers[Self.stallAfterHeader] = nil
                    fault = .stalledBody(afterBytes: sent)
                }
            case .changeBeforeDownload(let change, let file):
                try await changeFile(change, file: file)
                fault = .changedBeforeDownload(change)
                response = try await route(call, request: &request)
            case .dropUpload(let stored):
                if stored {
                    response = Self.dropped(try await route(call, request: &request))
                } else {
                    // The bytes arrived, as far as the client can tell, and the connection died before they were kept.
                    _ = try await request.collectBody(upTo: 256 << 20)
                    let status: HTTPResponse.Status = request.uri.path.hasPrefix("/upload/") ? .accepted : .created
                    response = Self.dropped(Response(status: status, body: ResponseBody(byteBuffer: ByteBuffer(string: "{}"))))
                }
                fault = .droppedUpload(stored: stored)
            }
        } catch let error as M365SimulatorError {
            var headers: HTTPFields = [:]
            if case .resyncRequired = error, let location = Self.freshDeltaLocation(call) {
                headers[.location] = location
            }
            let innerCode: String? = if case .resyncRequired = error { "resyncChangesApplyDifferences" } else { nil }
            response = GraphJSON.error(
                error.status, code: error.code, message: error.message, requestID: requestID,
                clientRequestID: call.clientRequestID, headers: headers, innerCode: innerCode)
        }
        for header in charge?.headers ?? [] {
            if let name = HTTPFields.Element.Name(header.name) { response.headers[name] = header.value }
        }
        response.headers[HTTPFields.Element.Name("request-id")!] = requestID
        response.headers[HTTPFields.Element.Name("client-request-id")!] = call.clientRequestID
        await log.record(
            LoggedRequest(
                method: request.method.rawValue, path: sent.path, query: sent.query ?? "",
                status: response.status.code, range: request.headers[.range], fault: fault,
                userAgent: request.headers[.userAgent], resourceUnits: charge?.units))
        logger.debug(
            "simulator request",
            metadata: ["lifeboat.sim.method": "\(request.method)", "lifeboat.sim.path": "\(request.uri.path)",
                "lifeboat.sim.status": "\(response.status.code)"])
        return response
    }

    /// `request` addressed in the one form the handlers parse (see `GraphRequestPath`); itself when already so.
    static func canonicalized(_ request: Request) -> Request {
        let query = request.uri.query ?? ""
        let canonical = GraphRequestPath.canonical(path: request.uri.path, query: query)
        guard canonical.path != request.uri.path || canonical.query != query else { return request }
        var head = request.head
        head.path = canonical.path + (canonical.query.isEmpty ? "" : "?" + canonical.query)
        return Request(head: head, body: request.body)
    }

    /// The answer to a JSON batch, logged like any request; each request it carries is logged by its own answer.
    private func batchResponse(_ call: Call, context: BasicRequestContext) async -> Response {
        var response: Response
        do {
            response = try await batch(call, context: context)
        } catch let error as M365SimulatorError {
            response = GraphJSON.error(
                error.status, code: error.code, message: error.message, requestID: call.requestID, clientRequestID: call.clientRequestID)
        } catch {
            response = GraphJSON.error(
                400, code: "invalidRequest", message: "\(error)", requestID: call.requestID, clientRequestID: call.clientRequestID)
        }
        response.headers[HTTPFields.Element.Name("request-id")!] = call.requestID
        response.headers[HTTPFields.Element.Name("client-request-id")!] = call.clientRequestID
        await log.record(
            LoggedRequest(
                method: "POST", path: call.request.uri.path, query: call.request.uri.query ?? "", status: response.status.code,
                userAgent: call.request.headers[.userAgent]))
        return response
    }

    func route(_ call: Call, request: inout Request) async throws -> Response {
        let path = request.uri.path
        let segments = path.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
        guard let first = segments.first else { throw M365SimulatorError.itemNotFound("Nothing lives at '/'.") }
        switch first {
        case "v1.0":
            if let denied = await authenticate(call) { return denied }
            let rest = String(path.dropFirst("/v1.0/".count))
            return try await graph(call, rest: rest, request: &request)
        case "download":
            guard segments.count == 2 else { break }
            return try await download(call, token: segments[1])
        case "upload":
            guard segments.count == 2 else { break }
            return try await upload(call, sessionID: segments[1], request: &request)
        case "_admin":
            return try await admin(call, segments: Array(segments.dropFirst()).map(Self.decode), request: &request)
        default:
            if segments.count == 4, segments[1] == "oauth2", segments[2] == "v2.0", segments[3] == "token",
                request.method == .post
            {
                return try await token(call, tenantSegment: Self.decode(first), request: &request)
            }
        }
        throw M365SimulatorError.itemNotFound("No endpoint matches \(request.method) \(path).")
    }

    // MARK: Faults

    /// Internal header by which the download handler tells `respond` where it will cut the body; never sent.
    static let cutAfterHeader = HTTPFields.Element.Name("x-simulator-cut-after")!

    /// Internal header by which the download handler tells `respond` where its body stalls; never sent.
    static let stallAfterHeader = HTTPFields.Element.Name("x-simulator-stall-after")!

    /// Makes the change a user made to `file` (`driveID|itemID`) before the backup asked for its content.
    func changeFile(_ change: ItemChange, file: String) async throws {
        let parts = file.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 2 else { return }
        let (driveID, itemID) = (parts[0], parts[1])
        guard let item = await tenant.item(driveID: driveID, itemID: itemID), !item.isFolder else { return }
        switch change {
        case .deleted:
            try await tenant.delete(driveID: driveID, itemID: itemID)
        case .renamed:
            let (stem, ext) = SimulatedTenant.splitExtension(item.name)
            _ = try await tenant.rename(driveID: driveID, itemID: itemID, to: "\(stem) (renamed)\(ext)")
        case .contentChanged:
            let text = "Changed by its user while the backup was listing the drive (\(item.name), \(item.size) bytes before).\n"
            _ = try await tenant.updateContent(driveID: driveID, itemID: itemID, bytes: Array(text.utf8))
        }
    }

    /// The answer Graph gives when it fails a request this way.
    static func answer(_ fault: SimulatedFault, _ call: Call) -> Response {
        switch fault {
        case .serviceUnavailable(let seconds):
            return GraphJSON.error(
                503, code: "serviceNotAvailable", message: "The service is temporarily unavailable. Try again later.",
                requestID: call.requestID, clientRequestID: call.clientRequestID, headers: [.retryAfter: String(seconds)])
        case .egressThrottled(let status, let seconds):
            return GraphJSON.error(
                status, code: status == 503 ? "serviceNotAvailable" : "activityLimitReached",
                message: "The application exceeded its download allowance for this tenant. Try again later.",
                requestID: call.requestID, clientRequestID: call.clientRequestID, headers: [.retryAfter: String(seconds)])
        case .inaccessible(let status):
            let locked = status == 423
            return GraphJSON.error(
                status, code: locked ? "resourceLocked" : "accessDenied",
                message: locked ? "The resource you are attempting to access is locked." : "Access denied",
                requestID: call.requestID, clientRequestID: call.clientRequestID)
        case .slowFirstByte, .slowBody, .stalledBody, .changedBeforeDownload:
            preconditionFailure("FaultInjector paces or changes a served request; \(fault) has no answer of its own")
        case .serverError(let status):
            let code = status == 503 ? "serviceNotAvailable" : status == 504 ? "gatewayTimeout" : "generalException"
            return GraphJSON.error(
                status, code: code, message: "The service is temporarily unavailable. Try again later.",
                requestID: call.requestID, clientRequestID: call.clientRequestID)
        case .throttled(let seconds):
            return GraphJSON.error(
                429, code: "activityLimitReached", message: "The request has been throttled.", requestID: call.requestID,
                clientRequestID: call.clientRequestID, headers: [.retryAfter: String(seconds)])
        case .expiredDownloadURL:
            return expiredDownloadURL(call)
        case .connectionReset:
            preconditionFailure("FaultInjector cuts a served body for a reset; a reset has no answer of its own")
        case .droppedUpload:
            preconditionFailure("FaultInjector drops an upload's answer; a dropped upload has no answer of its own")
        case .rejectedFragment:
            return GraphJSON.error(
                416, code: "invalidRange", message: "The fragment could not be accepted; ask the session for nextExpectedRanges.",
                requestID: call.requestID, clientRequestID: call.clientRequestID)
        case .expiredUploadSession:
            return GraphJSON.error(
                404, code: "itemNotFound", message: "The upload session does not exist or has expired; create a new one.",
                requestID: call.requestID, clientRequestID: call.clientRequestID)
        }
    }

    /// `response`'s status and headers, then a connection closed before its body, as when a network drops an answer.
    static func dropped(_ response: Response) -> Response {
        let length = max(1, response.body.contentLength ?? 1)
        return Response(
            status: response.status, headers: response.headers,
            body: ResponseBody(contentLength: length) { _ in throw FaultInjector.ConnectionReset() })
    }

    /// The upload an upload fault may hit, or nil for any other request.
    static func uploadRequest(_ request: Request) -> FaultInjector.UploadRequest? {
        let path = request.uri.path
        switch request.method {
        case .put where path.hasPrefix("/upload/"):
            let start = request.headers[.contentRange].flatMap(parseContentRange)?.start ?? -1
            return .fragment(sessionID: String(path.dropFirst("/upload/".count)), start: start)
        case .put where path.hasPrefix("/v1.0/") && path.hasSuffix("/content"):
            return .simpleUpload(path: path)
        case .post where path.hasPrefix("/v1.0/") && path.hasSuffix("/createUploadSession"):
            return .createSession(path: path)
        case .post where path.hasPrefix("/v1.0/drives/") && path.hasSuffix("/children"):
            return .createFolder(path: path)
        default:
            return nil
        }
    }

    /// The 401 of a pre-authenticated download URL past its lifetime.
    static func expiredDownloadURL(_ call: Call) -> Response {
        GraphJSON.error(
            401, code: "unauthenticated", message: "The pre-authenticated download URL has expired; request a new one.",
            requestID: call.requestID, clientRequestID: call.clientRequestID)
    }

    // MARK: Authentication

    func authenticate(_ call: Call) async -> Response? {
        let header = call.request.headers[.authorization] ?? ""
        let message: String
        if header.isEmpty {
            message = "Access token is empty."
        } else if header.lowercased().hasPrefix("bearer "), await tenant.validate(accessToken: String(header.dropFirst(7))) {
            return nil
        } else {
            message = "Access token validation failure: the token is unknown or expired (Lifetime validation failed)."
        }
        return GraphJSON.error(
            401, code: "InvalidAuthenticationToken", message: message, requestID: call.requestID,
            clientRequestID: call.clientRequestID, headers: [.wwwAuthenticate: "Bearer realm=\"\", error=\"invalid_token\""])
    }

    func token(_ call: Call, tenantSegment: String, request: inout Request) async throws -> Response {
        let body = try await request.collectBody(upTo: 1 << 20)
        let form = Self.parseQuery(String(buffer: body))
        func oauthError(_ status: HTTPResponse.Status, _ code: String, _ description: String) -> Response {
            GraphJSON.response(
                status,
                [
                    "error": code, "error_description": description, "error_codes": [7_000_215],
                    "timestamp": GraphJSON.date(Date()), "trace_id": call.requestID, "correlation_id": call.clientRequestID,
                ])
        }
        let validTenants = [tenant.tenantID, "\(tenant.spec.domain).onmicrosoft.com"]
        guard validTenants.contains(tenantSegment.lowercased()) else {
            return oauthError(.badRequest, "invalid_request", "AADSTS90002: Tenant '\(tenantSegment)' not found.")
        }
        guard form["grant_type"] == "client_credentials" else {
            return oauthError(.badRequest, "unsupported_grant_type", "AADSTS70003: The app requested an unsupported grant type.")
        }
        guard let clientID = form["client_id"], let secret = form["client_secret"],
            let token = await tenant.issueAccessToken(
                clientID: clientID, clientSecret: secret, lifetime: configuration.accessTokenLifetime)
        else {
            return oauthError(
                .unauthorized, "invalid_client", "AADSTS7000215: Invalid client secret provided, or unknown client id.")
        }
        let lifetime = Int(configuration.accessTokenLifetime.seconds)
        return GraphJSON.response(
            .ok,
            ["token_type": "Bearer", "expires_in": lifetime, "ext_expires_in": lifetime, "access_token": token])
    }

    // MARK: Parsing

    static func decode(_ segment: String) -> String {
        guard segment.utf8.contains(UInt8(ascii: "%")) else { return segment }
        return segment.removingPercentEncoding ?? segment
    }

    static func parseQuery(_ query: String) -> [String: String] {
        func formDecoded(_ part: Substring) -> String {
            decode(part.contains("+") ? part.replacingOccurrences(of: "+", with: " ") : String(part))
        }
        var result: [String: String] = [:]
        for pair in query.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            result[formDecoded(parts[0])] = parts.count > 1 ? formDecoded(parts[1]) : ""
        }
        return result
    }

    /// The `Location` of a 410 `resyncRequired`: a delta link that enumerates the drive from scratch.
    static func freshDeltaLocation(_ call: Call) -> String? {
        let path = call.request.uri.path
        guard path.hasPrefix("/v1.0/"), path.hasSuffix("/delta") else { return nil }
        let top = call.query["$top"].map { "$top=\($0)&" } ?? ""
        return call.baseURL + path + "?\(top)token=\(SimulatedTenant.encodeToken("d:0"))"
    }

    static func conflict(_ text: String?, default fallback: ConflictBehavior) throws -> ConflictBehavior {
        guard let text else { return fallback }
        guard let value = ConflictBehavior(rawValue: text) else {
            throw M365SimulatorError.invalidRequest("'\(text)' is not a conflict behaviour; use fail, replace or rename.")
        }
        return value
    }

    static func fileSystemInfo(_ json: Any?) -> FileSystemInfo? {
        guard let json = json as? [String: Any] else { return nil }
        return FileSystemInfo(
            createdAt: (json["createdDateTime"] as? String).flatMap(GraphJSON.parseDate),
            modifiedAt: (json["lastModifiedDateTime"] as? String).flatMap(GraphJSON.parseDate))
    }
}
