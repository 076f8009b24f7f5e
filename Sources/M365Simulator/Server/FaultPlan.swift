/// Transient failures the simulator injects, the way a busy tenant fails a backup or a restore tool.
///
/// Reads: `GET` requests of Graph (`/v1.0/...`) and of pre-authenticated download URLs. Faults tied to one file
/// (changes before download, refused files) draw from `seed` and the file's identity only. A Graph request draws once from a
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
    /// permissions. A request that would overspend is answered 429 (or 503, see `overBudgetServiceUnavailableShare`)
    /// with `Retry-After` (the seconds until the window has room for it) and still spends its units; from 80% of the
    /// budget on, answers carry `RateLimit-Limit`, `RateLimit-Remaining` and `RateLimit-Reset`. Every charged answer tells its cost in `x-ms-resource-unit`.
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

    /// Bytes of download bodies a window allows (Graph: 400 GB an hour per app and tenant, `hourly`). A download URL
    /// request arriving when the window's served bytes reached the budget is answered 429 (or 503, see
    /// `overBudgetServiceUnavailableShare`) with `Retry-After` (the seconds until enough spending leaves the window).
    public struct EgressBudget: Sendable {
        /// Bytes a window allows.
        public var bytes: Int
        /// Length of the sliding window.
        public var window: Duration

        /// Creates a budget of `bytes` per `window` (an hour by default).
        public init(bytes: Int, window: Duration = .seconds(3600)) {
            self.bytes = bytes
            self.window = window
        }

        /// Graph's budget: 400 GB an hour.
        public static let hourly = EgressBudget(bytes: 400_000_000_000)
    }

    /// Changes a user makes to a file between the delta page listing it and the backup asking for its content. Each
    /// share applies once per file, at its first `GET .../items/{id}/content`, before the request is answered.
    public struct ChangesBeforeDownload: Sendable {
        /// Share of files deleted (the request then answers 404 `itemNotFound`).
        public var deleted: Double = 0
        /// Share of files renamed ("<stem> (renamed)<ext>"); the content is served unchanged.
        public var renamed: Double = 0
        /// Share of files given new content (a new version, cTag, eTag, size and quickXorHash); the new bytes are served.
        public var contentChanged: Double = 0

        /// No changes until shares are set.
        public init(deleted: Double = 0, renamed: Double = 0, contentChanged: Double = 0) {
            self.deleted = deleted
            self.renamed = renamed
            self.contentChanged = contentChanged
        }

        var isActive: Bool { deleted > 0 || renamed > 0 || contentChanged > 0 }
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
    /// Share of files whose current content, the first time a download of it is cut (see `connectionResetShare`), is
    /// edited by its user before the client resumes: new bytes of the same length, a new version and `ETag`. A resume
    /// that splices the new tail onto the old head stores bytes the file never held.
    public var contentChangedAfterCutShare: Double = 0

    /// Share of over-budget answers (resource units, requests or egress) sent as 503 `serviceNotAvailable` with
    /// `Retry-After` instead of 429 `activityLimitReached`, as Graph does under load; drawn from `seed` and the request (its
    /// method and path, a download by its file, and how often it was answered over budget), whatever the arrival order.
    public var overBudgetServiceUnavailableShare: Double = 0
    /// Bytes of download bodies allowed per window; `nil` for no egress budget.
    public var egressBudget: EgressBudget?
    /// Share of download-URL responses whose connection closes right after the status and headers, before any byte of
    /// the body.
    public var resetBeforeBodyShare: Double = 0
    /// Share of reads (Graph and download URLs) answered only after `firstByteDelay`.
    public var slowFirstByteShare: Double = 0
    /// How long a slow first byte takes.
    public var firstByteDelay: Duration = .milliseconds(300)
    /// Share of download-URL bodies sent slowly: a pause of `bodyChunkDelay` before each 64 KiB chunk.
    public var slowBodyShare: Double = 0
    /// Pause before each 64 KiB chunk of a slow body.
    public var bodyChunkDelay: Duration = .milliseconds(20)
    /// Share of download-URL bodies that stall after part of the body for `stallDuration`, then go on (if the client is
    /// still there: a client whose read timeout is shorter gives up and resumes with `Range`).
    public var stalledBodyShare: Double = 0
    /// How long a stalled body sends nothing.
    public var stallDuration: Duration = .seconds(5)
    /// Files changed by their users between enumeration and download.
    public var changesBeforeDownload = ChangesBeforeDownload()
    /// Share of files that appear twice in an enumeration from scratch: first in an earlier state (the previous
    /// version's size, hashes and cTag, for files with several versions; the same state otherwise), then again on the
    /// enumeration's last page in their current state. The last occurrence wins, as in Graph.
    public var duplicateDeltaItemShare: Double = 0
    /// Share of files whose content the service refuses on every request (`GET .../content`, current or earlier
    /// version), with a status drawn from `inaccessibleStatuses`: 403 `accessDenied` or 423 `resourceLocked`.
    public var inaccessibleFileShare: Double = 0
    /// Statuses of refused files.
    public var inaccessibleStatuses: [Int] = [403, 423]

    /// Share of upload requests (simple uploads, `createUploadSession`, fragments, new folders) answered with a status
    /// from `serverErrorStatuses` before the simulator acts on them.
    public var uploadServerErrorShare: Double = 0
    /// Share of fragment `PUT`s answered 416 `invalidRange` without storing their bytes.
    public var rejectedFragmentShare: Double = 0
    /// Share of upload `PUT`s (fragments and simple uploads) and new folders whose connection drops before the answer's
    /// body: half of them before the request takes effect, half after (it took effect but the client cannot know).
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
            || connectionResetShare > 0 || egressBudget != nil || resetBeforeBodyShare > 0 || slowFirstByteShare > 0
            || slowBodyShare > 0 || stalledBodyShare > 0 || changesBeforeDownload.isActive || inaccessibleFileShare > 0
    }

    /// Whether the plan can inject anything into uploads.
    var faultsUploads: Bool {
        uploadServerErrorShare > 0 || rejectedFragmentShare > 0 || droppedUploadShare > 0 || expiredUploadSessionShare > 0
    }
}
