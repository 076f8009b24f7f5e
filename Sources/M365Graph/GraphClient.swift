import BoundedConcurrency
import AsyncHTTPClient
import Foundation
import LifeboatModel
import Logging
import NIOCore
import NIOFoundationCompat
import NIOHTTP1
import QuickXorHash

/// Microsoft Graph over AsyncHTTPClient, for one tenant.
///
/// Retries transient failures (5xx, resets) with exponential backoff and jitter, pauses every call of the
/// tenant when Graph throttles (429/503 with `Retry-After`), renews tokens before they expire.
/// The `HTTPClient` is owned by the caller, who shuts it down; it must not follow redirects
/// (downloads are redirected to pre-authenticated URLs that must not receive the bearer token).
public struct GraphClient: GraphAPI {
    /// How hard to insist on transient failures.
    public struct RetryPolicy: Sendable {
        /// Attempts per call, the first included.
        public var maxAttempts: Int
        /// Backoff before the second attempt; doubles each time, with jitter.
        public var initialBackoff: Duration
        /// Longest pause Lifeboat accepts from a `Retry-After` before giving up on the call.
        public var maxRetryAfter: Duration
        /// Times one call may be throttled and retried; throttling does not count against `maxAttempts`, since a tenant
        /// near its budget throttles many calls in a row.
        public var maxThrottledRetries: Int
        /// Waits before the second, third... token requests when the sign-in endpoint cannot be reached or answers
        /// 429/5xx. By default an endpoint still down after 7.5 s (four attempts) is reported rather than waited for:
        /// a wrong address or a tenant that cannot be reached at all is told at once (sign-in, `organization add`).
        public var signInRetryDelays: [Duration]
        /// How long a data call keeps trying to connect to Graph that cannot be reached (a network blip, a restarting
        /// proxy) before it fails with `GraphError.unreachable`. Attempts that never reached Graph do not count
        /// against `maxAttempts`, so a short outage in the middle of a run does not fail the run.
        public var unreachableBudget: Duration
        /// The longest wait between two attempts to connect within `unreachableBudget`.
        public var maxUnreachableBackoff: Duration

        /// Creates a policy.
        public init(
            maxAttempts: Int = 6, initialBackoff: Duration = .milliseconds(200), maxRetryAfter: Duration = .seconds(300),
            maxThrottledRetries: Int = 30, signInRetryDelays: [Duration] = [.milliseconds(500), .seconds(2), .seconds(5)],
            unreachableBudget: Duration = .seconds(60), maxUnreachableBackoff: Duration = .seconds(5)
        ) {
            self.maxAttempts = maxAttempts
            self.initialBackoff = initialBackoff
            self.maxRetryAfter = maxRetryAfter
            self.maxThrottledRetries = maxThrottledRetries
            self.signInRetryDelays = signInRetryDelays
            self.unreachableBudget = unreachableBudget
            self.maxUnreachableBackoff = maxUnreachableBackoff
        }
    }

    private let httpClient: HTTPClient
    private let endpoints: GraphEndpoints
    let tokens: GraphTokenProvider
    private let throttle: ThrottleGate
    private let pacer: ResourceUnitPacer
    private let limiter: ConcurrencyLimiter
    private let retryPolicy: RetryPolicy
    private let logger: Logger
    private let pageSize: Int

    /// The `User-Agent` Microsoft asks ISVs to send (`ISV|Company|Product/Version`), so it can tell Lifeboat's traffic apart.
    public static let userAgent = "ISV|Lifeboat|Lifeboat/\(LifeboatVersion.current)"

    /// The place in flight the current task holds (see `withTransferSlot`), and whose limiter granted it.
    private struct HeldSlot: Sendable {
        let limiter: ConcurrencyLimiter
        let permit: ConcurrencyLimiter.Permit
    }

    @TaskLocal private static var heldSlot: HeldSlot?

    /// Creates a client for one tenant with its own throttle and token cache.
    ///
    /// Clients made this way do not share a `Retry-After` pause or a token with each other; make them from one
    /// `GraphTenantRegistry` when several runs talk to the same tenant.
    /// - Parameters:
    ///   - httpClient: shared client, configured with `redirectConfiguration: .disallow` (see `makeHTTPClient`).
    ///   - pacing: the tenant's resource-unit budget and concurrency ceiling (unpaced by default).
    ///   - pageSize: `$top` for delta and listings.
    public init(
        httpClient: HTTPClient, endpoints: GraphEndpoints, credentials: GraphCredentials,
        retryPolicy: RetryPolicy = RetryPolicy(), pacing: GraphPacing = GraphPacing(), pageSize: Int = 200, logger: Logger
    ) {
        self.init(
            httpClient: httpClient, endpoints: endpoints,
            tokens: GraphTokenProvider(
                httpClient: httpClient, endpoints: endpoints, credentials: credentials, userAgent: Self.userAgent,
                retryDelays: retryPolicy.signInRetryDelays, logger: logger),
            throttle: ThrottleGate(), pacer: ResourceUnitPacer(pacing: pacing), limiter: ConcurrencyLimiter(ceiling: pacing.maxConcurrency),
            retryPolicy: retryPolicy, pageSize: pageSize, logger: logger)
    }

    /// Creates a client using a tenant's shared token cache, throttle, budget and concurrency (see `GraphTenantRegistry`).
    init(
        httpClient: HTTPClient, endpoints: GraphEndpoints, tokens: GraphTokenProvider, throttle: ThrottleGate,
        pacer: ResourceUnitPacer, limiter: ConcurrencyLimiter, retryPolicy: RetryPolicy, pageSize: Int, logger: Logger
    ) {
        self.httpClient = httpClient
        self.endpoints = endpoints
        self.tokens = tokens
        self.throttle = throttle
        self.pacer = pacer
        self.limiter = limiter
        self.retryPolicy = retryPolicy
        self.pageSize = pageSize
        self.logger = logger
    }

    /// An `HTTPClient` configured as Graph calls need it (no automatic redirects, sane timeouts).
    ///
    /// A connection that cannot be made fails its request at once instead of being retried quietly by the client's pool
    /// until the connect timeout: Lifeboat's own retries then log each attempt and give up after a bounded time with
    /// the reason (`GraphError.unreachable`).
    public static func makeHTTPClient() -> HTTPClient {
        var configuration = HTTPClient.Configuration(redirectConfiguration: .disallow)
        configuration.timeout = .init(connect: .seconds(10), read: .seconds(120))
        configuration.connectionPool.retryConnectionEstablishment = false
        // Lifeboat bootstraps no tracer, and a span per request (even the no-op tracer's) is measurable per download.
        configuration.tracing.tracer = nil
        return HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
    }

    // MARK: Discovery

    public func users() async throws -> [GraphUser] {
        try await collectPages(GraphUser.self, from: "\(endpoints.graphBaseURL)/users?$top=\(pageSize)")
    }

    public func userDrive(userPrincipalName: String) async throws -> GraphDrive {
        try await getJSON(GraphDrive.self, url: "\(endpoints.graphBaseURL)/users/\(userPrincipalName.pathEncoded)/drive")
    }

    public func site(url: String) async throws -> GraphSite {
        guard let components = URLComponents(string: url), let host = components.host, !host.isEmpty else {
            throw GraphError.invalidArgument("'\(url)' is not an absolute site URL")
        }
        let path = components.percentEncodedPath.isEmpty ? "/" : components.percentEncodedPath
        return try await getJSON(GraphSite.self, url: "\(endpoints.graphBaseURL)/sites/\(host):\(path)")
    }

    public func rootSites() async throws -> [GraphSite] {
        try await collectPages(GraphSite.self, from: "\(endpoints.graphBaseURL)/sites?search=*")
    }

    public func subsites(siteID: String) async throws -> [GraphSite] {
        try await collectPages(GraphSite.self, from: "\(endpoints.graphBaseURL)/sites/\(siteID.pathEncoded)/sites")
    }

    public func drives(siteID: String) async throws -> [GraphDrive] {
        try await collectPages(GraphDrive.self, from: "\(endpoints.graphBaseURL)/sites/\(siteID.pathEncoded)/drives")
    }

    // MARK: Items

    public func delta(driveID: String, link: String?) async throws -> DeltaPage {
        let url = link ?? "\(endpoints.graphBaseURL)/drives/\(driveID.pathEncoded)/root/delta?$top=\(pageSize)"
        // A 410, with a JSON body or not, arrives as `resyncRequired` carrying its absolute `Location`.
        let page = try await getJSON(GraphJSON.Collection<GraphDriveItem>.self, url: url)
        return DeltaPage(items: page.value, nextLink: page.nextLink, deltaLink: page.deltaLink)
    }

    public func item(driveID: String, itemID: String) async throws -> GraphDriveItem {
        try await getJSON(GraphDriveItem.self, url: itemURL(driveID, itemID))
    }

    public func child(driveID: String, parentID: String, name: String) async throws -> GraphDriveItem {
        try await getJSON(GraphDriveItem.self, url: itemURL(driveID, parentID) + ":/\(name.pathEncoded):")
    }

    public func children(driveID: String, itemID: String) async throws -> [GraphDriveItem] {
        try await collectPages(GraphDriveItem.self, from: itemURL(driveID, itemID) + "/children?$top=\(pageSize)")
    }

    public func versions(driveID: String, itemID: String) async throws -> [GraphItemVersion] {
        try await collectPages(GraphItemVersion.self, from: itemURL(driveID, itemID) + "/versions")
    }

    /// Asks for the histories in JSON batches of `GraphBatch.limit` requests, up to `GraphBatch.parallelBatches` batches at
    /// a time; a batch costs the resource units of the requests it carries. An item whose entry failed is left out
    /// (a throttled entry pauses the tenant first, as a throttled call does); a batch that fails as a whole leaves out
    /// all its items.
    public func versions(driveID: String, itemIDs: [String]) async -> [String: [GraphItemVersion]] {
        let batches = stride(from: 0, to: itemIDs.count, by: GraphBatch.limit).map {
            Array(itemIDs[$0..<min($0 + GraphBatch.limit, itemIDs.count)])
        }
        var answered: [String: [GraphItemVersion]] = [:]
        await runConcurrently(batches, atMost: GraphBatch.parallelBatches) { batch in
            await self.batchedVersions(driveID: driveID, itemIDs: batch)
        } onResult: { answered.merge($0) { first, _ in first } }
        return answered
    }

    /// One JSON batch of `/versions` requests; what it could not answer is left out.
    private func batchedVersions(driveID: String, itemIDs: [String]) async -> [String: [GraphItemVersion]] {
        let requests = itemIDs.enumerated().map { index, itemID in
            GraphBatch.Request(id: String(index), method: "GET", url: "/drives/\(driveID.pathEncoded)/items/\(itemID.pathEncoded)/versions")
        }
        do {
            var ambiguous = false
            // A batch of reads changes nothing, so it is retried like a read.
            let response = try await send(
                .POST, url: "\(endpoints.graphBaseURL)/$batch", body: ByteBuffer(bytes: try JSONEncoder().encode(GraphBatch.Body(requests: requests))),
                contentType: "application/json", retryWrites: true, ambiguous: &ambiguous, collectsBody: true,
                expectedUnits: requests.count, acceptedStatuses: [200])
            let answer = try await decode(GraphBatch.Answer<GraphJSON.Collection<GraphItemVersion>>.self, response)
            var answered: [String: [GraphItemVersion]] = [:]
            for entry in answer.responses {
                guard let index = Int(entry.id), itemIDs.indices.contains(index) else { continue }
                if entry.status == 200, let page = entry.body {
                    var versions = page.value
                    if let next = page.nextLink { versions += try await collectPages(GraphItemVersion.self, from: next) }
                    answered[itemIDs[index]] = versions
                } else if entry.status == 429 || entry.status == 503, let retryAfter = entry.header("Retry-After").flatMap({ RetryAfter($0) }) {
                    logger.info("Graph throttled a batched request; pausing", metadata: ["lifeboat.graph.retryAfter": "\(retryAfter.delay)"])
                    await throttle.pause(for: min(retryAfter.delay, retryPolicy.maxRetryAfter))
                }
            }
            return answered
        } catch {
            logger.debug("A batch of version requests failed; its items are asked alone", metadata: ["lifeboat.error": "\(error)"])
            return [:]
        }
    }

    /// The bytes of the current version (`versionID` nil) or of an earlier one.
    ///
    /// The stream survives a broken body (resumed with `Range` from the bytes received) and an expired download URL
    /// (a fresh one is asked of `/content`), so it yields the file's bytes exactly once, in order.
    public func content(driveID: String, itemID: String, versionID: String?) async throws -> GraphContent {
        let url = itemURL(driveID, itemID) + (versionID.map { "/versions/\($0.pathEncoded)" } ?? "") + "/content"
        return try await stream(from: try await downloadSource(contentURL: url), contentURL: url)
    }

    /// The listing's download URL is pre-authenticated like the one `/content` redirects to: it never receives the
    /// bearer token, and when it has expired the stream renews it through `/content` as any expired URL.
    public func currentContent(driveID: String, listed item: GraphDriveItem) async throws -> GraphContent {
        let url = itemURL(driveID, item.id) + "/content"
        guard let listed = item.downloadURL, !listed.isEmpty else {
            return try await stream(from: try await downloadSource(contentURL: url), contentURL: url)
        }
        let source = ResumableDownload.Source(url: Self.resolved(listed, graphBaseURL: endpoints.graphBaseURL), authorized: false)
        return try await stream(from: source, contentURL: url)
    }

    /// Opens `source` and streams it, renewing it through `contentURL` whenever it has expired.
    private func stream(from initial: ResumableDownload.Source, contentURL url: String) async throws -> GraphContent {
        var source = initial
        var attempts = 1
        while true {
            switch try await openDownload(source, offset: 0, validator: nil) {
            case .body(let response):
                let download = ResumableDownload(
                    source: source, firstResponse: response,
                    open: { source, offset, validator in try await openDownload(source, offset: offset, validator: validator) },
                    renew: { try await downloadSource(contentURL: url) },
                    maxFailures: retryPolicy.maxAttempts, initialBackoff: retryPolicy.initialBackoff)
                return GraphContent(contentLength: response.contentLength, bytes: download)
            case .expired(let error):
                guard attempts < retryPolicy.maxAttempts else { throw error }
                attempts += 1
                source = try await downloadSource(contentURL: url)
            }
        }
    }

    /// Where `/content` sends the bytes: the pre-authenticated URL of its redirect, or `/content` itself.
    private func downloadSource(contentURL url: String) async throws -> ResumableDownload.Source {
        let redirect = try await send(.GET, url: url, acceptedStatuses: [302, 200])
        _ = try? await redirect.body.collect(upTo: redirect.status == .ok ? 0 : 1 << 16)
        if redirect.status == .ok {
            return ResumableDownload.Source(url: url, authorized: true)
        }
        guard let location = redirect.headers.first(name: "Location") else {
            throw GraphError.invalidResponse("302 without Location for \(url)")
        }
        return ResumableDownload.Source(url: Self.resolved(location, graphBaseURL: endpoints.graphBaseURL), authorized: false)
    }

    /// Opens a download from `offset`; an expired URL (401, 403, 410) is an answer, not an error. With a strong `validator`
    /// (the first answer's `ETag`), a server whose file changed answers the whole new content instead of its tail.
    private func openDownload(
        _ source: ResumableDownload.Source, offset: Int64, validator: String?
    ) async throws -> ResumableDownload.Opening {
        var headers = HTTPHeaders()
        if offset > 0 {
            headers.add(name: "Range", value: "bytes=\(offset)-")
            // RFC 9110 allows only a strong validator in If-Range.
            if let validator, !validator.hasPrefix("W/") { headers.add(name: "If-Range", value: validator) }
        }
        let response = try await send(
            .GET, url: source.url, authorized: source.authorized, extraHeaders: headers,
            acceptedStatuses: [200, 206, 401, 403, 410])
        switch response.status.code {
        case 200, 206:
            return .body(response)
        default:
            let body = try? await response.body.collect(upTo: 1 << 20)
            return .expired(Self.serviceError(status: Int(response.status.code), body: body, resyncOn410: false))
        }
    }

    // MARK: Uploads

    /// Creates a folder; `fail` and `replace` are retried on 5xx and broken connections like reads.
    ///
    /// A `fail` whose retry meets 409 after an attempt that may have gone through returns the folder now there, which
    /// is its own. `rename` is never retried that way: a retry of a creation that went through would make a second folder.
    public func createFolder(driveID: String, parentID: String, name: String, conflict: ConflictBehavior) async throws
        -> GraphDriveItem
    {
        let body: [String: Any] = ["name": name, "folder": [String: Any](), "@microsoft.graph.conflictBehavior": conflict.rawValue]
        let data = try JSONSerialization.data(withJSONObject: body)
        var ambiguous = false
        let response = try await send(
            .POST, url: itemURL(driveID, parentID) + "/children", body: ByteBuffer(data: data),
            contentType: "application/json", retryWrites: conflict != .rename, ambiguous: &ambiguous, collectsBody: true,
            acceptedStatuses: [200, 201, 409])
        guard response.status == .conflict else { return try await decode(GraphDriveItem.self, response) }
        let error = Self.serviceError(status: 409, body: try? await response.body.collect(upTo: 1 << 20))
        if ambiguous, conflict == .fail, let existing = try? await child(driveID: driveID, parentID: parentID, name: name),
            existing.isFolder
        {
            logger.debug("A folder creation retried after an unclear failure had gone through", metadata: ["lifeboat.graph.item": "\(existing.id)"])
            return existing
        }
        throw error
    }

    /// Uploads `content` in one `PUT`.
    ///
    /// `replace` and `fail` are retried on 5xx and broken connections like reads. A replace is idempotent in content
    /// (a retry after an answer lost on its way back adds one more, identical, version). A `fail` whose retry meets 409
    /// after an attempt that may have gone through checks whether the file now there is its own (same size and
    /// quickXorHash) and returns it if so. `rename` is never retried that way: a retry of an upload that went through
    /// would make a second copy.
    public func uploadSmallFile(
        driveID: String, parentID: String, name: String, content: ByteBuffer, conflict: ConflictBehavior
    ) async throws -> GraphDriveItem {
        let url = itemURL(driveID, parentID) + ":/\(name.pathEncoded):/content?@microsoft.graph.conflictBehavior=\(conflict.rawValue)"
        var ambiguous = false
        let response = try await send(
            .PUT, url: url, body: content, contentType: "application/octet-stream", retryWrites: conflict != .rename,
            ambiguous: &ambiguous, collectsBody: true, acceptedStatuses: [200, 201, 409])
        guard response.status == .conflict else { return try await decode(GraphDriveItem.self, response) }
        let error = Self.serviceError(status: 409, body: try? await response.body.collect(upTo: 1 << 20))
        if ambiguous, conflict == .fail, let existing = try? await child(driveID: driveID, parentID: parentID, name: name),
            existing.size == Int64(content.readableBytes),
            existing.file?.hashes?.quickXorHash == QuickXorHasher.hash(Array(content.readableBytesView))
        {
            logger.debug("An upload retried after an unclear failure had gone through", metadata: ["lifeboat.graph.item": "\(existing.id)"])
            return existing
        }
        throw error
    }

    /// Opens an upload session; retried on 5xx and broken connections (a session opened twice leaves one to expire unused).
    public func createUploadSession(
        driveID: String, parentID: String, name: String, conflict: ConflictBehavior
    ) async throws -> UploadSession {
        let body: [String: Any] = ["item": ["@microsoft.graph.conflictBehavior": conflict.rawValue]]
        let data = try JSONSerialization.data(withJSONObject: body)
        let url = itemURL(driveID, parentID) + ":/\(name.pathEncoded):/createUploadSession"
        var ambiguous = false
        let response = try await send(
            .POST, url: url, body: ByteBuffer(data: data), contentType: "application/json", retryWrites: true,
            ambiguous: &ambiguous, collectsBody: true, acceptedStatuses: [200])
        struct Answer: Decodable { var uploadUrl: String }
        let answer = try await decode(Answer.self, response)
        let absolute = Self.resolved(answer.uploadUrl, graphBaseURL: endpoints.graphBaseURL)
        return UploadSession(uploadURL: absolute)
    }

    public func uploadFragment(
        _ session: UploadSession, offset: Int64, totalSize: Int64, content: ByteBuffer
    ) async throws -> UploadFragmentResult {
        let end = offset + Int64(content.readableBytes) - 1
        var headers = HTTPHeaders()
        headers.add(name: "Content-Range", value: "bytes \(offset)-\(end)/\(totalSize)")
        let response = try await send(
            .PUT, url: session.uploadURL, authorized: false, body: content, contentType: "application/octet-stream",
            extraHeaders: headers, acceptedStatuses: [200, 201, 202])
        if response.status == .accepted {
            let progress = try await decode(SessionProgress.self, response)
            return .incomplete(nextExpectedRanges: progress.nextExpectedRanges ?? [])
        }
        return .completed(try await decode(GraphDriveItem.self, response))
    }

    public func uploadSessionStatus(_ session: UploadSession) async throws -> UploadSessionStatus {
        let response = try await send(.GET, url: session.uploadURL, authorized: false, collectsBody: true, acceptedStatuses: [200])
        let progress = try await decode(SessionProgress.self, response)
        return UploadSessionStatus(nextExpectedRanges: progress.nextExpectedRanges ?? [])
    }

    /// The body of a session's progress (`202` to a fragment, `200` to `GET uploadUrl`).
    private struct SessionProgress: Decodable {
        var nextExpectedRanges: [String]?
    }

    // MARK: Transport

    /// Runs `operation` holding one of the tenant's places in flight; Graph calls made inside take no other place
    /// but still tell the limiter how they went.
    public func withTransferSlot<Result: Sendable>(_ operation: @Sendable () async throws -> Result) async throws -> Result {
        if let held = Self.heldSlot, held.limiter === limiter { return try await operation() }
        let permit = await limiter.acquire()
        do {
            let result = try await Self.$heldSlot.withValue(HeldSlot(limiter: limiter, permit: permit), operation: operation)
            await limiter.release(permit)
            return result
        } catch {
            await limiter.release(permit)
            throw error
        }
    }

    /// Sends one attempt of a request within the tenant's budget and concurrency, and tells them how it went.
    ///
    /// Takes a place in flight unless the task holds one, reserves the request's expected resource units (waiting for
    /// the bucket), sends it, then settles the reservation with `x-ms-resource-unit` and `RateLimit-*`.
    /// - Parameter collectsBody: read an accepted answer's body (up to 64 MiB) while the place is held.
    /// - Parameter expectedUnits: what the request should cost when its URL cannot tell (a JSON batch).
    private func exchange(
        _ request: HTTPClientRequest, expectedUnits: Int?, collectsBody: Bool, acceptedStatuses: Set<UInt>
    ) async throws -> HTTPClientResponse {
        // A place in flight first, then the budget: a reservation is counted when it is made, so a request must not then
        // wait for a place while Graph, which counts it on arrival, has not seen it yet.
        let held = Self.heldSlot.flatMap { $0.limiter === limiter ? $0.permit : nil }
        let permit: ConcurrencyLimiter.Permit
        if let held { permit = held } else { permit = await limiter.acquire() }
        let reservation: ResourceUnitPacer.Reservation
        do {
            reservation = try await pacer.reserve(expectedUnits ?? ResourceUnitCost.estimate(method: request.method, url: request.url))
        } catch {
            if held == nil { await limiter.release(permit) }
            throw error
        }
        var response: HTTPClientResponse
        do {
            // The tenant may have been paused while this request waited for the budget or a place.
            try await throttle.waitUntilOpen()
            response = try await httpClient.execute(request, timeout: .seconds(300), logger: logger)
            if collectsBody, acceptedStatuses.contains(response.status.code) {
                // Read here so that an answer broken mid-body is retried like a connection that failed earlier.
                let body = try await response.body.collect(upTo: 64 << 20)
                response = HTTPClientResponse(
                    version: response.version, status: response.status, headers: response.headers, body: .bytes(body))
            }
        } catch {
            await pacer.settle(reservation, charged: nil, remaining: nil, resetSeconds: nil, throttled: false)
            if held == nil { await limiter.release(permit) }
            throw error
        }
        let status = response.status.code
        let headers = response.headers
        let throttled = status == 429 || (status == 503 && headers.first(name: "Retry-After") != nil)
        await pacer.settle(
            reservation, charged: ResourceUnitCost.reported(headers),
            remaining: headers.first(name: "RateLimit-Remaining").flatMap { Int($0) },
            resetSeconds: headers.first(name: "RateLimit-Reset").flatMap { Int($0) }, throttled: throttled)
        await limiter.record(status == 429 || status == 503 ? .overloaded : .clean, under: permit)
        if held == nil { await limiter.release(permit) }
        return response
    }

    /// `location` as an absolute URL: a relative `Location` is resolved against `graphBaseURL` (a path from its origin
    /// when it starts with `/`, below the versioned base otherwise).
    static func resolved(_ location: String, graphBaseURL: String) -> String {
        let padded = location.first?.isWhitespace == true || location.last?.isWhitespace == true
        let trimmed = padded ? location.trimmingCharacters(in: .whitespaces) : location
        // The common case (every download URL of a listing) without parsing: an absolute http(s) URL.
        if trimmed.utf8.starts(with: "https://".utf8) || trimmed.utf8.starts(with: "http://".utf8) { return trimmed }
        if let scheme = URLComponents(string: trimmed)?.scheme, !scheme.isEmpty { return trimmed }
        guard trimmed.hasPrefix("/") else { return graphBaseURL + "/" + trimmed }
        guard let components = URLComponents(string: graphBaseURL), let scheme = components.scheme, let host = components.host
        else { return graphBaseURL + trimmed }
        return "\(scheme)://\(host)" + (components.port.map { ":\($0)" } ?? "") + trimmed
    }

    /// The URL without its query: pre-authenticated upload and download URLs carry their credential there, and error
    /// messages end up in run errors and restore events that other API clients can read.
    static func redacted(_ url: String) -> String {
        guard let query = url.firstIndex(of: "?") else { return url }
        return String(url[..<query]) + "?…"
    }

    public func cancelUploadSession(_ session: UploadSession) async throws {
        _ = try await send(.DELETE, url: session.uploadURL, authorized: false, acceptedStatuses: [200, 204, 404])
    }

    private func itemURL(_ driveID: String, _ itemID: String) -> String {
        "\(endpoints.graphBaseURL)/drives/\(driveID.pathEncoded)/items/\(itemID.pathEncoded)"
    }

    private func collectPages<Element: Decodable>(_ type: Element.Type, from url: String) async throws -> [Element] {
        var results: [Element] = []
        var next: String? = url
        while let current = next {
            let page = try await getJSON(GraphJSON.Collection<Element>.self, url: current)
            results += page.value
            next = page.nextLink
        }
        return results
    }

    private func getJSON<T: Decodable>(_ type: T.Type, url: String) async throws -> T {
        let response = try await send(.GET, url: url, collectsBody: true, acceptedStatuses: [200])
        return try await decode(type, response)
    }

    private func decode<T: Decodable>(_ type: T.Type, _ response: HTTPClientResponse) async throws -> T {
        let body: ByteBuffer
        do {
            body = try await response.body.collect(upTo: 64 << 20)
        } catch {
            throw GraphError.transport("reading an answer: \(error)")
        }
        do {
            return try GraphJSON.makeDecoder().decode(type, from: body)
        } catch {
            throw GraphError.invalidResponse("\(T.self): \(error)")
        }
    }

    /// Sends one request with retries; returns a response whose status is one of `acceptedStatuses` (body unread).
    ///
    /// Throttling (429, or 503 with `Retry-After`) pauses every call of the tenant and is retried whatever the method,
    /// since Graph did not act on the call. Server errors and broken connections are retried only for idempotent
    /// methods: an upload or a create may have taken effect.
    private func send(
        _ method: HTTPMethod, url: String, authorized: Bool = true, body: ByteBuffer? = nil, contentType: String? = nil,
        extraHeaders: HTTPHeaders = [:], collectsBody: Bool = false, acceptedStatuses: Set<UInt>
    ) async throws -> HTTPClientResponse {
        var ambiguous = false
        return try await send(
            method, url: url, authorized: authorized, body: body, contentType: contentType, extraHeaders: extraHeaders,
            retryWrites: false, ambiguous: &ambiguous, collectsBody: collectsBody, acceptedStatuses: acceptedStatuses)
    }

    /// Sends one request with retries, as above.
    /// - Parameters:
    ///   - retryWrites: retry server errors and broken connections even though the method is not idempotent; the
    ///     caller knows how to recognise the effect of an earlier attempt.
    ///   - ambiguous: set when an attempt failed in a way that leaves unknown whether Graph acted on it.
    ///   - collectsBody: read an accepted answer's body (up to 64 MiB) before returning, retrying when it breaks.
    ///   - expectedUnits: what the request should cost when its URL cannot tell (a JSON batch).
    private func send(
        _ method: HTTPMethod, url: String, authorized: Bool = true, body: ByteBuffer? = nil, contentType: String? = nil,
        extraHeaders: HTTPHeaders = [:], retryWrites: Bool, ambiguous: inout Bool, collectsBody: Bool = false,
        expectedUnits: Int? = nil, acceptedStatuses: Set<UInt>
    ) async throws -> HTTPClientResponse {
        let idempotent = [HTTPMethod.GET, .HEAD, .DELETE, .OPTIONS].contains(method)
        let retriesFailures = idempotent || retryWrites
        var attempt = 0
        var throttled = 0
        var backoff = retryPolicy.initialBackoff
        var unreachableSince: ContinuousClock.Instant?
        var unreachableBackoff = retryPolicy.initialBackoff
        while true {
            attempt += 1
            try await throttle.waitUntilOpen()
            var request = HTTPClientRequest(url: url)
            request.method = method
            request.headers.add(name: "User-Agent", value: Self.userAgent)
            request.headers.add(contentsOf: extraHeaders)
            var token: String?
            if authorized {
                let bearer = try await tokens.accessToken()
                token = bearer
                request.headers.add(name: "Authorization", value: "Bearer \(bearer)")
            }
            if let contentType { request.headers.add(name: "Content-Type", value: contentType) }
            if let body { request.body = .bytes(body) }

            let response: HTTPClientResponse
            do {
                response = try await exchange(
                    request, expectedUnits: expectedUnits, collectsBody: collectsBody, acceptedStatuses: acceptedStatuses)
            } catch {
                if let unreachable = ConnectionFailure.reason(error) {
                    // Never reached Graph, so it cannot have taken effect: retried, whatever the method, for as long as
                    // the budget allows rather than a number of attempts (an outage lasts a time, not a count).
                    let since = unreachableSince ?? .now
                    unreachableSince = since
                    let delay = min(jittered(unreachableBackoff), retryPolicy.maxUnreachableBackoff)
                    guard ContinuousClock.now + delay - since <= retryPolicy.unreachableBudget else {
                        throw GraphError.unreachable(url: Self.redacted(url), reason: unreachable)
                    }
                    logger.warning(
                        "Cannot reach \(Self.redacted(url)): \(unreachable). Retrying in \(delay) (unreachable for \(ContinuousClock.now - since) of at most \(retryPolicy.unreachableBudget)).")
                    try await Task.sleep(for: delay)
                    unreachableBackoff = min(unreachableBackoff * 2, retryPolicy.maxUnreachableBackoff)
                    attempt -= 1
                    continue
                }
                if !idempotent { ambiguous = true }
                guard retriesFailures, attempt < retryPolicy.maxAttempts else {
                    throw GraphError.transport("\(method) \(Self.redacted(url)): \(error)")
                }
                logger.debug("Graph transport error, retrying", metadata: ["lifeboat.graph.attempt": "\(attempt)"])
                try await Task.sleep(for: jittered(backoff))
                backoff *= 2
                continue
            }
            unreachableSince = nil
            unreachableBackoff = retryPolicy.initialBackoff
            let status = response.status.code
            if acceptedStatuses.contains(status) { return response }

            let errorBody = try? await response.body.collect(upTo: 1 << 20)
            if status == 401, authorized, let token, attempt < retryPolicy.maxAttempts {
                await tokens.invalidate(token)
                continue
            }
            let retryAfter = response.headers.first(name: "Retry-After").flatMap { RetryAfter($0) }
            if status == 429 || (status == 503 && retryAfter != nil) {
                throttled += 1
                attempt -= 1
                let pause = retryAfter?.delay ?? jittered(backoff)
                // The pause holds every call of the tenant, even when this one gives up: Graph would refuse them too.
                // A pause longer than `maxRetryAfter` holds them that long, and this call gives up.
                logger.info("Graph throttled the tenant; pausing", metadata: ["lifeboat.graph.retryAfter": "\(pause)"])
                await throttle.pause(for: min(pause, retryPolicy.maxRetryAfter))
                guard pause <= retryPolicy.maxRetryAfter, throttled <= retryPolicy.maxThrottledRetries else {
                    throw GraphError.throttled(retryAfterSeconds: retryAfter?.seconds)
                }
                backoff *= 2
                continue
            }
            if [500, 502, 503, 504].contains(status) {
                if !idempotent { ambiguous = true }
                if retriesFailures, attempt < retryPolicy.maxAttempts {
                    logger.debug("Graph server error, retrying", metadata: ["lifeboat.graph.status": "\(status)"])
                    try await Task.sleep(for: jittered(backoff))
                    backoff *= 2
                    continue
                }
            }
            throw Self.serviceError(
                status: Int(status), body: errorBody, location: response.headers.first(name: "Location").map { Self.resolved($0, graphBaseURL: endpoints.graphBaseURL) })
        }
    }

    private func jittered(_ duration: Duration) -> Duration {
        duration * Double.random(in: 0.5...1.5)
    }

    /// - Parameter location: the answer's `Location`, which a 410 `resyncRequired` sets to a fresh enumeration link;
    ///   a 410 means `resyncRequired` whatever its body (a proxy may answer it in HTML or with none).
    static func serviceError(status: Int, body: ByteBuffer?, resyncOn410: Bool = true, location: String? = nil) -> GraphError {
        if status == 410, resyncOn410 {
            return .resyncRequired(location: location)
        }
        if let body, let decoded = try? JSONDecoder().decode(GraphJSON.ErrorBody.self, from: body) {
            return .service(
                status: status, code: decoded.error.code ?? "unknown", message: decoded.error.message ?? "",
                requestID: decoded.error.innerError?.requestID)
        }
        return .service(status: status, code: "http\(status)", message: "HTTP \(status)", requestID: nil)
    }
}

extension HTTPClientResponse {
    fileprivate var contentLength: Int64? {
        headers.first(name: "Content-Length").flatMap(Int64.init)
    }
}
