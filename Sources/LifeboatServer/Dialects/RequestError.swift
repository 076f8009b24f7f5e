import HTTPTypes

/// A request Lifeboat refuses, before or while handling it; each dialect renders it in its own error shape.
enum RequestError: Error, Sendable {
    /// A query, path or body field has a value Lifeboat cannot accept.
    case invalidField(name: String, reason: String)
    /// The body is not what the operation takes (not JSON, wrong types...).
    case invalidBody(String)
    /// The request carries no valid bearer token.
    case unauthenticated(String)
    /// The token endpoint refuses the credentials or the refresh token (OAuth 2.0 `invalid_grant`).
    case invalidGrant(String)
    /// A resource named in the request does not exist.
    case notFound(resource: String, id: String)
    /// The request conflicts with the state of the resource (a job already running...).
    case conflict(String)
    /// The principal lacks a scope the operation needs.
    case forbidden(String)
    /// The request was valid but the work it asked for failed (the tenant refused it, say); the message says why.
    case operationFailed(String)

    /// The HTTP status this error answers with.
    var status: HTTPResponse.Status {
        switch self {
        case .invalidField, .invalidBody, .invalidGrant: .badRequest
        case .unauthenticated: .unauthorized
        case .notFound: .notFound
        case .conflict: .conflict
        case .forbidden: .forbidden
        case .operationFailed: .internalServerError
        }
    }

    /// The message shown to the caller; names the offending field.
    var message: String {
        switch self {
        case .invalidField(let name, let reason): "Invalid value of '\(name)': \(reason)"
        case .invalidBody(let detail): "The request body is invalid: \(detail)"
        case .unauthenticated(let detail): detail
        case .invalidGrant(let detail): detail
        case .notFound(let resource, let id): "\(resource) '\(id)' was not found."
        case .conflict(let detail): detail
        case .forbidden(let detail): detail
        case .operationFailed(let detail): detail
        }
    }
}
