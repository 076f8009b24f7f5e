import Foundation
import SeededRandom

/// Decides, request by request, which faults of a `FaultPlan` the simulator injects.
actor FaultInjector {
    /// Thrown from a response body to close the connection in the middle of a download.
    struct ConnectionReset: Error {}

    /// What to do with one request.
    enum Decision: Sendable, Equatable {
        /// Answer the request normally.
        case none
        /// Answer with this fault instead of the real answer.
        case answer(SimulatedFault)
        /// Serve the download but close the connection after `share` (0..<1) of its body; then give the file new
        /// content of the same length when `thenChangeContent`.
        case cutBody(share: Double, thenChangeContent: Bool = false)
        /// Close the connection of an upload before its answer's body, after storing its bytes or without.
        case dropUpload(stored: Bool)
        /// Serve the request at the pace `pacing` says.
        case pace(Pacing)
        /// Apply this change to the file (`driveID|itemID`), then answer the request normally.
        case changeBeforeDownload(ItemChange, file: String)
    }

    /// How slowly to answer a request.
    struct Pacing: Sendable, Equatable {
        /// Pause before answering at all.
        var firstByteDelay: Duration?
        /// Pause before each chunk of a download body.
        var chunkDelay: Duration?
        /// Share (0..<1) of a download body after which it stalls for `stall`.
        var stallAfter: Double?
        var stall: Duration = .zero
    }

    /// What one request costs against the resource-unit budget, and what its answer tells the client.
    struct ResourceCharge: Sendable {
        /// Units the request spent (throttled or not).
        var units: Int
        /// Seconds to announce in `Retry-After` when the request is throttled; nil when it goes through.
        var retryAfterSeconds: Int?
        /// `x-ms-resource-unit`, and the `RateLimit-*` headers near the limit.
        var headers: [(name: String, value: String)]
    }

    /// An upload request, by what stays the same from one run to the next.
    enum UploadRequest: Sendable, Hashable {
        /// `PUT .../content`; `path` is the request's path.
        case simpleUpload(path: String)
        /// `POST .../createUploadSession`; `path` is the request's path.
        case createSession(path: String)
        /// `POST .../children`, a new folder; `path` is the request's path (the parent's).
        case createFolder(path: String)
        /// `PUT` of the bytes from `start` on an upload session.
        case fragment(sessionID: String, start: Int)
    }

    private let plan: FaultPlan
    private var generator: SplitMix64
    private var windowStart: ContinuousClock.Instant?
    private var requestsInWindow = 0

    /// Attempts so far by upload identity, so a retry draws anew.
    private var uploadAttempts: [String: Int] = [:]
    /// Requests so far by downloaded file (drive, item, version), so each attempt of a file draws anew.
    private var downloadAttempts: [String: Int] = [:]
    /// Sessions opened so far by `createUploadSession` path.
    private var sessionsByPath: [String: Int] = [:]
    /// Sessions of each `createUploadSession` path expired in a row, up to the last one opened.
    private var expiringInARow: [String: Int] = [:]
    /// A stable identity for each upload session id (the file's path and the session's ordinal for it).
    private var sessionIdentities: [String: String] = [:]

    /// Over-budget answers so far by request (a download by its file, anything else by method and path), so the choice
    /// between 429 and 503 follows the seed and the request, not the order in which concurrent requests arrive.
    private var overBudgetAnswers: [String: Int] = [:]
    /// Download bytes served within the egress window, oldest first.
    private var egress: [(at: ContinuousClock.Instant, bytes: Int)] = []
    private var egressTotal = 0

    /// Units spent within the budget's window, oldest first.
    private var spent: [(at: ContinuousClock.Instant, units: Int)] = []
    private var spentTotal = 0

    init(plan: FaultPlan) {
        self.plan = plan
        self.generator = SplitMix64(seed: plan.seed)
    }

    /// Decides the fate of a request; only `GET`s of Graph and of download URLs are ever faulted.
    func decide(method: String, path: String) -> Decision {
        guard plan.isActive, method == "GET" else { return .none }
        let isDownload = path.hasPrefix("/download/")
        guard isDownload || path.hasPrefix("/v1.0/") else { return .none }
        if let retryAfter = spendBudget() {
            return .answer(overBudget(retryAfterSeconds: retryAfter, method: method, path: path))
        }
        if isDownload, let retryAfter = egressRetryAfter() {
            let answer = overBudget(retryAfterSeconds: retryAfter, method: method, path: path)
            let status = if case .serviceUnavailable = answer { 503 } else { 429 }
            return .answer(.egressThrottled(status: status, retryAfterSeconds: retryAfter))
        }
        if let file = Self.graphContentFile(path) {
            if let refusal = inaccessible(file) { return .answer(refusal) }
            if Self.asksCurrentContent(path), let change = changeBeforeDownload(file) {
                return .changeBeforeDownload(change, file: file)
            }
        }
        // A download's fate depends on the file and how many times it was asked for, not on what other downloads
        // arrived meanwhile, so concurrent backups meet the same faults on every run of a seed.
        var draws: SplitMix64
        if isDownload, let identity = Self.downloadIdentity(path) {
            let attempt = downloadAttempts[identity, default: 0]
            downloadAttempts[identity] = attempt + 1
            draws = Self.generator(seed: plan.seed, key: "download \(identity) #\(attempt)")
        } else {
            draws = SplitMix64(seed: generator.next())
        }
        var threshold = plan.serverErrorShare
        let draw = Self.uniform(&draws)
        if draw < threshold, !plan.serverErrorStatuses.isEmpty {
            let status = plan.serverErrorStatuses[Int(draws.next() % UInt64(plan.serverErrorStatuses.count))]
            return .answer(.serverError(status: status))
        }
        threshold += plan.throttleShare
        if draw < threshold { return .answer(.throttled(retryAfterSeconds: plan.retryAfterSeconds)) }
        guard isDownload else { return slowFirstByte(&draws) }
        threshold += plan.expiredDownloadURLShare
        if draw < threshold { return .answer(.expiredDownloadURL) }
        threshold += plan.connectionResetShare
        if draw < threshold {
            let share = Self.uniform(&draws)
            return .cutBody(share: share, thenChangeContent: changesAfterCut(path))
        }
        threshold += plan.resetBeforeBodyShare
        if draw < threshold { return .cutBody(share: 0) }
        threshold += plan.stalledBodyShare
        if draw < threshold { return .pace(Pacing(stallAfter: Self.uniform(&draws), stall: plan.stallDuration)) }
        threshold += plan.slowBodyShare
        if draw < threshold { return .pace(Pacing(chunkDelay: plan.bodyChunkDelay)) }
        return slowFirstByte(&draws)
    }

    /// Pacing of a request that drew no other fault: a slow first byte for a share of reads.
    private func slowFirstByte(_ draws: inout SplitMix64) -> Decision {
        guard plan.slowFirstByteShare > 0, Self.uniform(&draws) < plan.slowFirstByteShare else { return .none }
        return .pace(Pacing(firstByteDelay: plan.firstByteDelay))
    }

    /// 429, or 503 for the plan's share of over-budget answers, announcing `retryAfterSeconds`; the choice is drawn
    /// from the request (`method` and `path`, a download by its file) and how many times it was answered over budget.
    func overBudget(retryAfterSeconds: Int, method: String, path: String) -> SimulatedFault {
        guard plan.overBudgetServiceUnavailableShare > 0 else { return .throttled(retryAfterSeconds: retryAfterSeconds) }
        let download = path.hasPrefix("/download/") ? Self.downloadIdentity(path) : nil
        let identity = download.map { "download \($0)" } ?? "\(method) \(path)"
        let answers = overBudgetAnswers[identity, default: 0]
        overBudgetAnswers[identity] = answers + 1
        var draws = Self.generator(seed: plan.seed, key: "over budget \(identity) #\(answers)")
        return Self.uniform(&draws) < plan.overBudgetServiceUnavailableShare
            ? .serviceUnavailable(retryAfterSeconds: retryAfterSeconds) : .throttled(retryAfterSeconds: retryAfterSeconds)
    }

    /// Counts `bytes` of a download body against the egress budget.
    func spendEgress(bytes: Int) {
        guard plan.egressBudget != nil, bytes > 0 else { return }
        egress.append((ContinuousClock.now, bytes))
        egressTotal += bytes
    }

    /// Seconds until the egress window has room again, or nil when it has room now (or there is no budget).
    private func egressRetryAfter() -> Int? {
        guard let budget = plan.egressBudget else { return nil }
        let now = ContinuousClock.now
        let expired = egress.prefix { $0.at <= now - budget.window }
        if !expired.isEmpty {
            egressTotal -= expired.reduce(0) { $0 + $1.bytes }
            egress.removeFirst(expired.count)
        }
        guard egressTotal >= budget.bytes else { return nil }
        var leaving = 0
        var roomAt = now + budget.window
        for entry in egress where egressTotal - leaving >= budget.bytes {
            leaving += entry.bytes
            roomAt = entry.at + budget.window
        }
        return max(1, Self.wholeSeconds(roomAt - now))
    }

    /// `drive|item` of a request for a file's bytes: Graph's `.../items/{i}[/versions/{v}]/content` or a download URL.
    private static func graphContentFile(_ path: String) -> String? {
        if path.hasPrefix("/download/") {
            return downloadIdentity(path).map { $0.split(separator: "|", omittingEmptySubsequences: false).prefix(2).joined(separator: "|") }
        }
        let segments = path.split(separator: "/").map(String.init)
        guard segments.count >= 6, segments[1] == "drives", segments[3] == "items", segments.last == "content" else { return nil }
        return "\(segments[2].removingPercentEncoding ?? segments[2])|\(segments[4].removingPercentEncoding ?? segments[4])"
    }

    /// The refusal of a file the plan makes inaccessible, on every request for its bytes.
    private func inaccessible(_ file: String) -> SimulatedFault? {
        guard plan.inaccessibleFileShare > 0, !plan.inaccessibleStatuses.isEmpty else { return nil }
        var draws = Self.generator(seed: plan.seed, key: "inaccessible \(file)")
        guard Self.uniform(&draws) < plan.inaccessibleFileShare else { return nil }
        return .inaccessible(status: plan.inaccessibleStatuses[Int(draws.next() % UInt64(plan.inaccessibleStatuses.count))])
    }

    /// Whether `path` asks for a file's current content: `/v1.0/drives/{d}/items/{i}/content`, or a download URL that
    /// names no version (a listing's `@microsoft.graph.downloadUrl`).
    private static func asksCurrentContent(_ path: String) -> Bool {
        if path.hasPrefix("/download/") {
            return downloadIdentity(path).map { $0.split(separator: "|", omittingEmptySubsequences: false).last == "" } ?? false
        }
        return path.hasSuffix("/content") && path.split(separator: "/").count == 6
    }

    /// The change a user makes to `file` (`driveID|itemID`) before its first current-content request, if the plan
    /// draws one.
    private func changeBeforeDownload(_ file: String) -> ItemChange? {
        let changes = plan.changesBeforeDownload
        guard changes.isActive else { return nil }
        let key = "change \(file)"
        let attempt = downloadAttempts[key, default: 0]
        downloadAttempts[key] = attempt + 1
        guard attempt == 0 else { return nil }
        var draws = Self.generator(seed: plan.seed, key: key)
        let draw = Self.uniform(&draws)
        if draw < changes.deleted { return .deleted }
        if draw < changes.deleted + changes.renamed { return .renamed }
        if draw < changes.deleted + changes.renamed + changes.contentChanged { return .contentChanged }
        return nil
    }

    /// Whether the file whose current content `path` serves is edited once its body is cut, if the plan draws it (once
    /// per file, at its first cut).
    private func changesAfterCut(_ path: String) -> Bool {
        guard plan.contentChangedAfterCutShare > 0, Self.asksCurrentContent(path), let file = Self.graphContentFile(path) else {
            return false
        }
        let key = "change after cut \(file)"
        let cuts = downloadAttempts[key, default: 0]
        downloadAttempts[key] = cuts + 1
        guard cuts == 0 else { return false }
        var draws = Self.generator(seed: plan.seed, key: key)
        return Self.uniform(&draws) < plan.contentChangedAfterCutShare
    }

    /// `drive|item|version` of a `/download/<token>` path (the token's expiry left out, since it changes every run).
    private static func downloadIdentity(_ path: String) -> String? {
        guard let token = path.split(separator: "/").last, let decoded = SimulatedTenant.decodeToken(String(token)) else {
            return nil
        }
        return decoded.split(separator: "|", omittingEmptySubsequences: false).dropLast().joined(separator: "|")
    }

    /// Charges a request against the resource-unit budget; nil when there is no budget or the request costs nothing.
    func charge(method: String, path: String, query: String) -> ResourceCharge? {
        guard let budget = plan.resourceUnitBudget, let units = Self.resourceUnits(method: method, path: path, query: query) else {
            return nil
        }
        let now = ContinuousClock.now
        forgetSpending(before: now - budget.window)
        let overspends = spentTotal + units > budget.units
        // Throttled calls spend too: a client that keeps knocking keeps the window full.
        spent.append((now, units))
        spentTotal += units
        var headers: [(name: String, value: String)] = [("x-ms-resource-unit", String(units))]
        if spentTotal * 5 >= budget.units * 4, let oldest = spent.first {
            headers += [
                ("RateLimit-Limit", String(budget.units)), ("RateLimit-Remaining", String(max(0, budget.units - spentTotal))),
                ("RateLimit-Reset", String(Self.wholeSeconds(oldest.at + budget.window - now))),
            ]
        }
        guard overspends else { return ResourceCharge(units: units, retryAfterSeconds: nil, headers: headers) }
        // The window has room for this request again once enough of the oldest spending has left it.
        var leaving = 0
        var roomAt = now + budget.window
        for entry in spent where spentTotal - leaving + units > budget.units {
            leaving += entry.units
            roomAt = entry.at + budget.window
        }
        return ResourceCharge(units: units, retryAfterSeconds: max(1, Self.wholeSeconds(roomAt - now)), headers: headers)
    }

    private func forgetSpending(before horizon: ContinuousClock.Instant) {
        let expired = spent.prefix { $0.at <= horizon }
        guard !expired.isEmpty else { return }
        spentTotal -= expired.reduce(0) { $0 + $1.units }
        spent.removeFirst(expired.count)
    }

    /// What Graph charges for a request; nil for requests outside Graph (the token endpoint, the admin API).
    static func resourceUnits(method: String, path: String, query: String) -> Int? {
        let charged = path.hasPrefix("/v1.0/") || path.hasPrefix("/download/") || path.hasPrefix("/upload/")
        guard charged else { return nil }
        if path.hasSuffix("/permissions") || path.contains("/permissions/") || path.hasSuffix("/invite")
            || path.hasSuffix("/createLink")
        {
            return 5
        }
        guard method == "GET" else { return 2 }
        if path.hasSuffix("/delta") || path.hasSuffix("/delta()") {
            let hasToken = query.split(separator: "&").contains { $0.hasPrefix("token=") }
            return hasToken ? 1 : 2
        }
        return 1
    }

    private static func wholeSeconds(_ duration: Duration) -> Int {
        let (seconds, attoseconds) = duration.components
        return max(0, Int(seconds) + (attoseconds > 0 ? 1 : 0))
    }

    /// Decides the fate of an upload request from the seed and the request's identity (see `FaultPlan`).
    func decideUpload(_ request: UploadRequest) -> Decision {
        guard plan.faultsUploads else { return .none }
        let identity: String
        switch request {
        case .simpleUpload(let path): identity = "PUT \(path)"
        case .createSession(let path), .createFolder(let path): identity = "POST \(path)"
        case .fragment(let sessionID, let start): identity = "\(sessionIdentities[sessionID] ?? "session \(sessionID)") @\(start)"
        }
        let attempt = uploadAttempts[identity, default: 0]
        uploadAttempts[identity] = attempt + 1
        var draws = Self.generator(seed: plan.seed, key: "\(identity) #\(attempt)")
        let draw = Self.uniform(&draws)
        var threshold = plan.uploadServerErrorShare
        if draw < threshold, !plan.serverErrorStatuses.isEmpty {
            return .answer(.serverError(status: plan.serverErrorStatuses[Int(draws.next() % UInt64(plan.serverErrorStatuses.count))]))
        }
        if case .fragment = request {
            threshold += plan.rejectedFragmentShare
            if draw < threshold { return .answer(.rejectedFragment) }
        }
        if case .createSession = request { return .none }
        threshold += plan.droppedUploadShare
        if draw < threshold { return .dropUpload(stored: Self.uniform(&draws) < 0.5) }
        return .none
    }

    /// Registers a session opened by `createUploadSession` at `path`; returns how many fragments it accepts before the
    /// plan expires it, or nil when it lives its normal life.
    func uploadSessionOpened(id: String, path: String) -> Int? {
        let ordinal = sessionsByPath[path, default: 0]
        sessionsByPath[path] = ordinal + 1
        let identity = "\(path) session #\(ordinal)"
        sessionIdentities[id] = identity
        guard plan.expiredUploadSessionShare > 0 else { return nil }
        var draws = Self.generator(seed: plan.seed, key: "\(identity) expiry")
        let inARow = expiringInARow[path, default: 0]
        guard inARow < plan.expiringUploadSessionsInARow, Self.uniform(&draws) < plan.expiredUploadSessionShare else {
            expiringInARow[path] = 0
            return nil
        }
        expiringInARow[path] = inARow + 1
        return max(0, plan.uploadSessionExpiresAfterFragments)
    }

    /// A generator whose output depends only on `seed` and `key` (FNV-1a of the key mixed into the seed).
    private static func generator(seed: UInt64, key: String) -> SplitMix64 {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in key.utf8 {
            hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3
        }
        return SplitMix64(seed: seed ^ hash)
    }

    private static func uniform(_ generator: inout SplitMix64) -> Double {
        Double(generator.next() >> 11) / Double(1 << 53)
    }

    /// Counts a request against the budget; returns the seconds to announce in `Retry-After` when it is spent.
    private func spendBudget() -> Int? {
        guard let budget = plan.requestBudget else { return nil }
        let now = ContinuousClock.now
        if let start = windowStart, now < start + budget.window {
            requestsInWindow += 1
        } else {
            windowStart = now
            requestsInWindow = 1
        }
        guard requestsInWindow > budget.requests, let start = windowStart else { return nil }
        let left = (start + budget.window) - now
        let seconds = Double(left.components.seconds) + Double(left.components.attoseconds) / 1e18
        return max(1, Int(seconds.rounded(.up)))
    }

}
