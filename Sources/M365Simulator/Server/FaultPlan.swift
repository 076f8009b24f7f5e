/// Transient failures the simulator injects into reads, the way a busy tenant fails a backup tool.
///
/// Only `GET` requests of Graph (`/v1.0/...`) and of pre-authenticated download URLs are faulted; the token endpoint,
/// uploads and the admin API never are. Each request draws once from a generator seeded with `seed`, so the same
/// requests in the same order see the same faults. The shares are cumulative: their sum must not exceed 1.
public struct FaultPlan: Sendable {
    /// A number of requests allowed per window; requests beyond it are throttled until the window ends.
    public struct RequestBudget: Sendable {
        /// Requests answered normally per window.
        public var requests: Int
        /// Length of a window; `Retry-After` tells the seconds left in it, rounded up.
        public var window: Duration

        /// Creates a budget of `requests` per `window`.
        public init(requests: Int, window: Duration) {
            self.requests = requests
            self.window = window
        }
    }

    /// Seed of the generator deciding which requests fail.
    public var seed: UInt64
    /// Share of requests answered with a status from `serverErrorStatuses`, in Graph's error JSON.
    public var serverErrorShare: Double = 0
    /// Transient statuses to draw from; 503 is sent without `Retry-After`.
    public var serverErrorStatuses: [Int] = [500, 502, 503, 504]
    /// Share of requests answered 429 `activityLimitReached` with `Retry-After: retryAfterSeconds`.
    public var throttleShare: Double = 0
    /// Seconds announced in `Retry-After` for throttling by share.
    public var retryAfterSeconds: Int = 1
    /// Requests allowed per window, beyond which every request is answered 429; `nil` for no budget.
    public var requestBudget: RequestBudget?
    /// Share of download-URL requests answered 401 as if the URL had expired, whatever `downloadURLLifetime` says.
    public var expiredDownloadURLShare: Double = 0
    /// Share of download-URL responses whose connection closes after part of the body.
    public var connectionResetShare: Double = 0

    /// A plan injecting nothing until its shares are set.
    public init(seed: UInt64 = 1) {
        self.seed = seed
    }

    /// Whether the plan can inject anything at all.
    var isActive: Bool {
        serverErrorShare > 0 || throttleShare > 0 || requestBudget != nil || expiredDownloadURLShare > 0
            || connectionResetShare > 0
    }
}
