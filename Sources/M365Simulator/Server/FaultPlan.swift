/// Transient failures the simulator injects, the way a busy tenant fails a backup or a restore tool.
///
/// Reads: `GET` requests of Graph (`/v1.0/...`) and of pre-authenticated download URLs. A Graph request draws once from a
/// generator seeded with `seed`, so the same requests in the same order see the same faults; a download draws from
/// `seed`, the file (drive, item, version) and how many times that file was asked for, so concurrent downloads see the
/// same faults run after run. Their shares are cumulative: their sum must not exceed 1.
///
/// Uploads: simple `PUT .../content`, `createUploadSession` and fragment `PUT`s on upload URLs. Their draws come from
/// `seed` and the request's identity (its path, the session's ordinal for that file, the fragment's offset, the attempt),
/// not from arrival order, so concurrent uploads see the same faults run after run. Their shares are cumulative too.
/// The token endpoint and the admin API are never faulted.
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

    /// Graph's budget per app and tenant, counted in resource units over a sliding window: 1 unit for a `GET`, a
    /// download or a delta with a token; 2 for a delta without a token and for any write (uploads included); 5 for
    /// permissions. A request that would overspend is answered 429 with `Retry-After` (the seconds until the window has
    /// room for it) and still spends its units; from 80% of the budget on, answers carry `RateLimit-Limit`,
    /// `RateLimit-Remaining` and `RateLimit-Reset`. Every charged answer tells its cost in `x-ms-resource-unit`.
    /// The token endpoint and the admin API cost nothing.
    public struct ResourceUnitBudget: Sendable {
        /// Units a window allows (1,250 a minute for a tenant under 1,000 licences).
        public var units: Int
        /// Length of the sliding window.
        public var window: Duration

        /// Creates a budget of `units` per `window` (a minute by default).
        public init(units: Int, window: Duration = .seconds(60)) {
            self.units = units
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
    /// Resource units allowed per window, beyond which requests are answered 429; `nil` for no budget.
    public var resourceUnitBudget: ResourceUnitBudget?
    /// Share of download-URL requests answered 401 as if the URL had expired, whatever `downloadURLLifetime` says.
    public var expiredDownloadURLShare: Double = 0
    /// Share of download-URL responses whose connection closes after part of the body.
    public var connectionResetShare: Double = 0

    /// Share of upload requests (simple uploads, `createUploadSession`, fragments) answered with a status from
    /// `serverErrorStatuses` before the simulator acts on them.
    public var uploadServerErrorShare: Double = 0
    /// Share of fragment `PUT`s answered 416 `invalidRange` without storing their bytes.
    public var rejectedFragmentShare: Double = 0
    /// Share of upload `PUT`s (fragments and simple uploads) whose connection drops before the answer's body: half of
    /// them before the bytes are stored, half after (the upload took effect but the client cannot know).
    public var droppedUploadShare: Double = 0
    /// Share of upload sessions that expire mid-upload: once they have accepted `uploadSessionExpiresAfterFragments`
    /// fragments (without completing the file), their URL answers 404 `itemNotFound` to every request.
    public var expiredUploadSessionShare: Double = 0
    /// Fragments an expiring upload session accepts before it expires.
    public var uploadSessionExpiresAfterFragments: Int = 1
    /// Sessions of one file that may expire in a row; the next one lives its normal life, so a client that opens a new
    /// session after an expiry (at most this many times) always gets its file through.
    public var expiringUploadSessionsInARow: Int = 1

    /// A plan injecting nothing until its shares are set.
    public init(seed: UInt64 = 1) {
        self.seed = seed
    }

    /// Whether the plan can inject anything into reads.
    var isActive: Bool {
        serverErrorShare > 0 || throttleShare > 0 || requestBudget != nil || expiredDownloadURLShare > 0
            || connectionResetShare > 0
    }

    /// Whether the plan can inject anything into uploads.
    var faultsUploads: Bool {
        uploadServerErrorShare > 0 || rejectedFragmentShare > 0 || droppedUploadShare > 0 || expiredUploadSessionShare > 0
    }
}
