/// Errors raised by the simulated tenant; the HTTP layer maps each to Graph's error shape and status.
public enum M365SimulatorError: Error, Sendable, Equatable {
    /// No drive, item, site, user or version has this identifier; callers get 404 `itemNotFound`.
    case itemNotFound(String)
    /// The request is malformed (bad JSON, bad range, bad name); callers get 400 `invalidRequest`.
    case invalidRequest(String)
    /// A sibling already has this name and the conflict behaviour is `fail`; callers get 409 `nameAlreadyExists`.
    case nameAlreadyExists(String)
    /// An upload fragment does not start where the session expects; callers get 416 `invalidRange`.
    case invalidRange(String)
    /// The operation is not allowed on this item (e.g. deleting the root); callers get 403 `accessDenied`.
    case accessDenied(String)
    /// The delta token is stale or unknown; callers get 410 `resyncRequired` and must enumerate again.
    case resyncRequired(String)
    /// The server could not bind or start; the message says why.
    case startFailed(String)

    /// HTTP status Graph uses for this error.
    var status: Int {
        switch self {
        case .itemNotFound: 404
        case .invalidRequest: 400
        case .nameAlreadyExists: 409
        case .invalidRange: 416
        case .accessDenied: 403
        case .resyncRequired: 410
        case .startFailed: 500
        }
    }

    /// Graph error code for this error.
    var code: String {
        switch self {
        case .itemNotFound: "itemNotFound"
        case .invalidRequest: "invalidRequest"
        case .nameAlreadyExists: "nameAlreadyExists"
        case .invalidRange: "invalidRange"
        case .accessDenied: "accessDenied"
        case .resyncRequired: "resyncRequired"
        case .startFailed: "generalException"
        }
    }

    /// Human-readable message.
    var message: String {
        switch self {
        case .itemNotFound(let m), .invalidRequest(let m), .nameAlreadyExists(let m), .invalidRange(let m),
            .accessDenied(let m), .resyncRequired(let m), .startFailed(let m):
            m
        }
    }
}
