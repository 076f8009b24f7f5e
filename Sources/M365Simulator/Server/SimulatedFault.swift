/// A failure the simulator injected into one request, as the request log records it.
public enum SimulatedFault: Sendable, Hashable {
    /// Answered with a transient server error (500, 502, 503 or 504) in Graph's error shape.
    case serverError(status: Int)
    /// Answered 429 with `Retry-After` in seconds.
    case throttled(retryAfterSeconds: Int)
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
