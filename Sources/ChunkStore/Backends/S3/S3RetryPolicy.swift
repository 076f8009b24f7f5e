/// When and how long to wait before retrying a failed object-store request: capped exponential backoff with full jitter.
public struct S3RetryPolicy: Sendable, Hashable {
    /// The total number of attempts, including the first; 1 disables retries.
    public var maximumAttempts: Int
    /// The backoff ceiling before the first retry; it doubles with every further retry.
    public var baseDelay: Duration
    /// The backoff ceiling never exceeds this.
    public var maximumDelay: Duration

    /// Five attempts, starting at up to 200 ms and capped at 10 s.
    public static let `default` = S3RetryPolicy(maximumAttempts: 5, baseDelay: .milliseconds(200), maximumDelay: .seconds(10))

    /// Creates a policy; `maximumAttempts` below 1 is treated as 1.
    public init(maximumAttempts: Int, baseDelay: Duration, maximumDelay: Duration) {
        self.maximumAttempts = max(1, maximumAttempts)
        self.baseDelay = baseDelay
        self.maximumDelay = maximumDelay
    }

    /// Whether a response with this HTTP status is worth retrying (server errors, throttling, request timeouts).
    public func shouldRetry(status: Int) -> Bool {
        status >= 500 || status == 429 || status == 408
    }

    /// The wait before retry number `retry` (1 for the first retry): uniformly random in
    /// `0...min(maximumDelay, baseDelay * 2^(retry-1))`, so many clients backing off together spread out.
    public func delay(beforeRetry retry: Int, using generator: inout some RandomNumberGenerator) -> Duration {
        let exponent = min(max(retry - 1, 0), 30)
        let ceiling = min(maximumDelay, baseDelay * (1 << exponent))
        let nanoseconds = ceiling.components.seconds * 1_000_000_000 + ceiling.components.attoseconds / 1_000_000_000
        guard nanoseconds > 0 else { return .zero }
        return .nanoseconds(Int64.random(in: 0...nanoseconds, using: &generator))
    }
}
