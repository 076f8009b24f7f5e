/// Failures of Microsoft Graph calls, carrying what an admin needs to act.
public enum GraphError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Graph answered with an error status; `code` is Graph's error code (`itemNotFound`, `accessDenied`...).
    case service(status: Int, code: String, message: String, requestID: String?)
    /// The token service refused the credentials.
    case authenticationFailed(status: Int, message: String)
    /// A delta link is no longer valid (410 `resyncRequired`); enumerate again from `location`.
    case resyncRequired(location: String?)
    /// The tenant kept throttling after every retry.
    case throttled(retryAfterSeconds: Int?)
    /// The answer could not be understood.
    case invalidResponse(String)
    /// The network failed after every retry.
    case transport(String)
    /// No connection could be made to `url` after every retry (`reason`: connection refused, no route to host, its
    /// name not found, no answer in time): the endpoint is down, or wrongly configured.
    case unreachable(url: String, reason: String)
    /// A caller passed something Graph cannot be asked (an unparsable site URL, say).
    case invalidArgument(String)
    /// A download broke and, when resumed, the file was no longer the one whose first bytes were received (another
    /// `ETag`, another length): the bytes so far must not be completed with the new content's.
    case contentChanged(String)

    /// Whether the error means the item (or drive, or site) does not exist.
    public var isNotFound: Bool {
        if case .service(let status, _, _, _) = self { return status == 404 }
        return false
    }

    public var description: String {
        switch self {
        case .service(let status, let code, let message, let requestID):
            return "Microsoft Graph answered \(status) \(code): \(message)" + (requestID.map { " (request-id \($0))" } ?? "")
        case .authenticationFailed(let status, let message):
            // Entra ID's descriptions end with a full stop of their own.
            let sentence = message.hasSuffix(".") ? message : message + "."
            return "Microsoft Graph sign-in failed (\(status)): \(sentence) Check the tenant id, client id and client secret."
        case .resyncRequired:
            return "The saved delta link expired; the drive must be enumerated again."
        case .throttled(let retryAfter):
            return "Microsoft Graph kept throttling the tenant" + (retryAfter.map { " (Retry-After \($0) s)" } ?? "")
        case .invalidResponse(let detail):
            return "Microsoft Graph sent an answer Lifeboat could not read: \(detail)"
        case .transport(let detail):
            return "Could not reach Microsoft Graph: \(detail)"
        case .unreachable(let url, let reason):
            return "Cannot reach \(url): \(reason)."
        case .invalidArgument(let detail):
            return detail
        case .contentChanged(let detail):
            return "The file changed while it was downloaded: \(detail)"
        }
    }
}
