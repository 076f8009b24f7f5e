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
}
