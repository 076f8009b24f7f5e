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
        /// Serve the download but close the connection after `share` (0..<1) of its body.
        case cutBody(share: Double)
    }

    private let plan: FaultPlan
    private var generator: SplitMix64
    private var windowStart: ContinuousClock.Instant?
    private var requestsInWindow = 0

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
            return .answer(.throttled(retryAfterSeconds: retryAfter))
        }
        var threshold = plan.serverErrorShare
        let draw = uniform()
        if draw < threshold, !plan.serverErrorStatuses.isEmpty {
            let status = plan.serverErrorStatuses[Int(generator.next() % UInt64(plan.serverErrorStatuses.count))]
            return .answer(.serverError(status: status))
        }
        threshold += plan.throttleShare
        if draw < threshold { return .answer(.throttled(retryAfterSeconds: plan.retryAfterSeconds)) }
        guard isDownload else { return .none }
        threshold += plan.expiredDownloadURLShare
        if draw < threshold { return .answer(.expiredDownloadURL) }
        threshold += plan.connectionResetShare
        if draw < threshold { return .cutBody(share: uniform()) }
        return .none
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

    private func uniform() -> Double {
        Double(generator.next() >> 11) / Double(1 << 53)
    }
}
