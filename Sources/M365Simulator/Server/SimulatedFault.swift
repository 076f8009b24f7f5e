/// A failure the simulator injected into one request, as the request log records it.
public enum SimulatedFault: Sendable, Hashable {
    /// Answered with a transient server error (500, 502, 503 or 504) in Graph's error shape.
    case serverError(status: Int)
    /// Answered 429 with `Retry-After` in seconds.
    case throttled(retryAfterSeconds: Int)
    /// Answered 503 `serviceNotAvailable` with `Retry-After` in seconds because a budget was spent (instead of 429).
    case serviceUnavailable(retryAfterSeconds: Int)
    /// A download URL answered `status` (429 or 503) with `Retry-After` because the egress budget was spent.
    case egressThrottled(status: Int, retryAfterSeconds: Int)
    /// Answered only after the plan's first-byte delay.
    case slowFirstByte
    /// A download body sent slowly, with a pause before each chunk.
    case slowBody
    /// A download body that stopped sending after `afterBytes` bytes for the plan's stall duration.
    case stalledBody(afterBytes: Int)
    /// The file was changed by its user just before this `GET .../content` was answered.
    case changedBeforeDownload(ItemChange)
    /// The service refused the file's content with `status` (403 `accessDenied` or 423 `resourceLocked`).
    case inaccessible(status: Int)
    /// A download URL answered 401 as expired before its lifetime.
    case expiredDownloadURL
    /// A download response whose connection was closed after `afterBytes` bytes of its body.
    case connectionReset(afterBytes: Int)
    /// An upload fragment answered 416 `invalidRange` and not stored.
    case rejectedFragment
    /// An upload whose connection closed before the answer's body; `stored` tells whether its bytes were kept
    /// (a fragment stored, a simple upload committed) or dropped.
    case droppedUpload(stored: Bool)
    /// A request on an upload session the plan expired mid-upload, answered 404 `itemNotFound`.
    case expiredUploadSession
}

/// A change a user made to a file between its enumeration and its download.
public enum ItemChange: Sendable, Hashable {
    /// The file was deleted.
    case deleted
    /// The file was renamed.
    case renamed
    /// The file got new content.
    case contentChanged
}
