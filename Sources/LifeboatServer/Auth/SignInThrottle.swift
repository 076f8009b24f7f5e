/// How failed sign-ins slow further attempts.
public struct SignInThrottlePolicy: Sendable, Hashable {
    /// Failures in a row a principal or client address may have before any wait.
    public var freeFailures: Int
    /// The wait after the first failure beyond the free ones; each further failure doubles it.
    public var firstDelay: Duration
    /// The longest wait.
    public var maximumDelay: Duration
    /// Failures older than this (since the last one) are forgotten.
    public var forgetAfter: Duration
    /// Principals and addresses remembered at most; the longest quiet are forgotten first, so memory stays bounded.
    public var maximumTracked: Int

    /// Creates a policy; the defaults allow 5 failures, then wait 1 s, 2 s, 4 s … up to 5 minutes.
    public init(
        freeFailures: Int = 5, firstDelay: Duration = .seconds(1), maximumDelay: Duration = .seconds(300),
        forgetAfter: Duration = .seconds(900), maximumTracked: Int = 10_000
    ) {
        self.freeFailures = freeFailures
        self.firstDelay = firstDelay
        self.maximumDelay = maximumDelay
        self.forgetAfter = forgetAfter
        self.maximumTracked = maximumTracked
    }

    /// The wait after `failures` failures in a row.
    func delay(afterFailures failures: Int) -> Duration {
        guard failures >= freeFailures else { return .zero }
        let doublings = min(failures - freeFailures, 30)
        return min(firstDelay * (1 << doublings), maximumDelay)
    }
}

/// Counts failed sign-ins per principal name and per client address, and refuses attempts while either must wait.
///
/// Both are needed: per principal stops one account being guessed from many addresses, per address stops one client
/// guessing many accounts. A refused attempt spends no hash and counts as no failure; a success clears both counts.
public actor SignInThrottle {
    private struct Record {
        var failures: Int
        var lastFailure: Duration
        var blockedUntil: Duration
    }

    private let policy: SignInThrottlePolicy
    /// Monotonic time since an arbitrary origin (a test clock in tests).
    private let now: @Sendable () -> Duration
    private var records: [String: Record] = [:]

    /// Creates a throttle; `now` is monotonic time (the continuous clock since creation by default).
    public init(policy: SignInThrottlePolicy = .init(), now: (@Sendable () -> Duration)? = nil) {
        self.policy = policy
        let origin = ContinuousClock.now
        self.now = now ?? { ContinuousClock.now - origin }
    }

    /// Whole seconds to wait before an attempt for `principal` from `address` is taken; nil when it may go ahead.
    public func retryAfter(principal: String, address: String?) -> Int? {
        let time = now()
        let waits = Self.keys(principal: principal, address: address).compactMap { key -> Duration? in
            guard let record = records[key], record.blockedUntil > time else { return nil }
            return record.blockedUntil - time
        }
        guard let longest = waits.max() else { return nil }
        let (seconds, attoseconds) = longest.components
        return Int(seconds) + (attoseconds > 0 ? 1 : 0)
    }

    /// Counts a failed attempt against both the principal and the address.
    public func recordFailure(principal: String, address: String?) {
        let time = now()
        for key in Self.keys(principal: principal, address: address) {
            var record = records[key] ?? Record(failures: 0, lastFailure: time, blockedUntil: .zero)
            if time - record.lastFailure > policy.forgetAfter { record.failures = 0 }
            record.failures += 1
            record.lastFailure = time
            record.blockedUntil = time + policy.delay(afterFailures: record.failures)
            records[key] = record
        }
        if records.count > policy.maximumTracked { forgetQuietest(at: time) }
    }

    /// Clears both counts after a successful sign-in.
    public func recordSuccess(principal: String, address: String?) {
        for key in Self.keys(principal: principal, address: address) { records[key] = nil }
    }

    private func forgetQuietest(at time: Duration) {
        records = records.filter { time - $0.value.lastFailure <= policy.forgetAfter }
        let excess = records.count - policy.maximumTracked
        guard excess > 0 else { return }
        for key in records.sorted(by: { $0.value.lastFailure < $1.value.lastFailure }).prefix(excess).map(\.key) {
            records[key] = nil
        }
    }

    private static func keys(principal: String, address: String?) -> [String] {
        ["principal:" + principal.lowercased()] + (address.map { ["address:" + $0] } ?? [])
    }
}
