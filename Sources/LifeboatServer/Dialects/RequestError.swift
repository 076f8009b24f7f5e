import HTTPTypes

/// A request Lifeboat refuses, before or while handling it; each dialect renders it in its own error shape.
enum RequestError: Error, Sendable {
    /// A query, path or body field has a value Lifeboat cannot accept.
    case invalidField(name: String, reason: String)
    /// The body is not what the operation takes (not JSON, wrong types...).
    case invalidBody(String)
    /// The body is longer than the operation takes (`limit` bytes).
    case bodyTooLarge(limit: Int)
    /// The request carries no valid bearer token.
    case unauthenticated(String)
    /// The token endpoint refuses the credentials or the refresh token (OAuth 2.0 `invalid_grant`).
    case invalidGrant(String)
    /// A resource named in the request does not exist.
    case notFound(resource: String, id: String)
    /// The path exists, but not with this method; `allowed` are the methods it has.
    case methodNotAllowed(allowed: [HTTPRequest.Method])
    /// The request conflicts with the state of the resource (a job already running...).
    case conflict(String)
    /// The principal lacks a scope the operation needs.
    case forbidden(String)
    /// Too many failed sign-ins from this client or for this principal: try again after `retryAfterSeconds`.
    case signInThrottled(retryAfterSeconds: Int)
    /// The server cannot take the work now (its password-hashing queue is full): try again after `retryAfterSeconds`.
    case busy(retryAfterSeconds: Int)
    /// The request was valid but the work it asked for failed (the tenant refused it, say); the message says why.
    case operationFailed(String)

    /// The HTTP status this error answers with.
    var status: HTTPResponse.Status {
        switch self {
        case .invalidField, .invalidBody, .invalidGrant: .badRequest
        case .bodyTooLarge: .contentTooLarge
        case .unauthenticated: .unauthorized
        case .notFound: .notFound
        case .methodNotAllowed: .methodNotAllowed
        case .conflict: .conflict
        case .forbidden: .forbidden
        case .signInThrottled: .tooManyRequests
        case .busy: .serviceUnavailable
        case .operationFailed: .internalServerError
        }
    }

    /// The message shown to the caller; names the offending field.
    var message: String {
        switch self {
        case .invalidField(let name, let reason): "Invalid value of '\(name)': \(reason)"
        case .invalidBody(let detail): "The request body is invalid: \(detail)"
        case .bodyTooLarge(let limit): "The request body is too large: this operation takes at most \(Self.size(limit))."
        case .unauthenticated(let detail): detail
        case .invalidGrant(let detail): detail
        case .notFound(let resource, let id): "\(resource) '\(id)' was not found."
        case .methodNotAllowed(let allowed):
            "This resource does not support that method; it supports \(allowed.map(\.rawValue).joined(separator: ", "))."
        case .conflict(let detail): detail
        case .forbidden(let detail): detail
        case .signInThrottled(let seconds): "Too many failed sign-ins; try again in \(seconds) seconds."
        case .busy(let seconds): "The server is busy verifying other sign-ins; try again in \(seconds) seconds."
        case .operationFailed(let detail): detail
        }
    }

    /// Headers the refusal must carry whatever its shape: `Allow` on a 405, `Retry-After` on a 429 or 503.
    var headers: HTTPFields {
        switch self {
        case .methodNotAllowed(let allowed): [.allow: allowed.map(\.rawValue).joined(separator: ", ")]
        case .signInThrottled(let seconds), .busy(let seconds): [.retryAfter: "\(seconds)"]
        default: [:]
        }
    }

    private static func size(_ bytes: Int) -> String {
        bytes >= 1 << 20 && bytes % (1 << 20) == 0 ? "\(bytes >> 20) MiB" : bytes >= 1024 ? "\(bytes / 1024) KiB" : "\(bytes) bytes"
    }
}
