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
/// guessing many accounts. Attempts still being verified count too, so a burst of parallel guesses gets no more tries
/// than the free failures allow. A refused attempt spends no hash and counts as no failure; a success clears only the
/// principal's count: clearing the address's too would let anyone holding one valid account reset the per-address count
/// with a good sign-in between guesses at other names. The address is the TCP peer, so behind a reverse proxy every
/// client shares the proxy's count (see the README's security notes).
public actor SignInThrottle {
    private struct Record {
        var failures = 0
        /// Attempts admitted and not yet finished.
        var pending = 0
        var lastFailure: Duration = .zero
        var blockedUntil: Duration = .zero
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

    /// Admits an attempt for `principal` from `address` (it must be `finish`ed), or answers the whole seconds to wait:
    /// while a wait after failures runs, or while attempts in flight would use up the free failures.
    public func begin(principal: String, address: String?) -> Int? {
        let time = now()
        let keys = Self.keys(principal: principal, address: address)
        var wait = Duration.zero
        for key in keys {
            guard var record = records[key] else { continue }
            if time - record.lastFailure > policy.forgetAfter {
                record.failures = 0
                records[key] = record
            }
            if record.blockedUntil > time {
                wait = max(wait, record.blockedUntil - time)
            } else if record.pending > 0, record.failures + record.pending >= policy.freeFailures {
                wait = max(wait, max(.seconds(1), policy.delay(afterFailures: record.failures + record.pending)))
            }
        }
        guard wait == .zero else {
            let (seconds, attoseconds) = wait.components
            return Int(seconds) + (attoseconds > 0 ? 1 : 0)
        }
        for key in keys { records[key, default: Record()].pending += 1 }
        return nil
    }

    /// Ends an attempt `begin` admitted: a failure counts against both the principal and the address (and may start a
    /// wait), a success clears the principal's count (the address's failures stay until forgotten), nil (never
    /// verified) changes neither.
    public func finish(principal: String, address: String?, succeeded: Bool?) {
        let time = now()
        for key in Self.keys(principal: principal, address: address) {
            var record = records[key] ?? Record()
            record.pending = max(0, record.pending - 1)
            switch succeeded {
            case true? where key.hasPrefix(Self.principalPrefix):
                record.failures = 0
                record.blockedUntil = .zero
            case false?:
                if time - record.lastFailure > policy.forgetAfter { record.failures = 0 }
                record.failures += 1
                record.lastFailure = time
                record.blockedUntil = time + policy.delay(afterFailures: record.failures)
            case true?, nil:
                break
            }
            records[key] = record.failures == 0 && record.pending == 0 ? nil : record
        }
        if records.count > policy.maximumTracked { forgetQuietest(at: time) }
    }

    private func forgetQuietest(at time: Duration) {
        records = records.filter { $0.value.pending > 0 || time - $0.value.lastFailure <= policy.forgetAfter }
        let excess = records.count - policy.maximumTracked
        guard excess > 0 else { return }
        let quietest = records.filter { $0.value.pending == 0 }.sorted { $0.value.lastFailure < $1.value.lastFailure }
        for key in quietest.prefix(excess).map(\.key) { records[key] = nil }
    }

    private static let principalPrefix = "principal:"

    private static func keys(principal: String, address: String?) -> [String] {
        [principalPrefix + principal.lowercased()] + (address.map { ["address:" + $0] } ?? [])
    }
}
