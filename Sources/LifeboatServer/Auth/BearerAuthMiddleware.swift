import Foundation
import Hummingbird
import HTTPTypes

/// Requires `Authorization: Bearer <token>` on every route except the public ones, and records the principal.
///
/// Failures answer 401 in the caller's dialect through `DialectErrorMiddleware`.
struct BearerAuthMiddleware: RouterMiddleware {
    typealias Context = LifeboatRequestContext

    let issuer: TokenIssuer
    /// Paths (lower-cased) reachable without a token.
    let publicPaths: Set<String>

    func handle(
        _ request: Request, context: LifeboatRequestContext,
        next: (Request, LifeboatRequestContext) async throws -> Response
    ) async throws -> Response {
        if publicPaths.contains(request.uri.path.lowercased()) { return try await next(request, context) }
        guard let header = request.headers[.authorization], header.lowercased().hasPrefix("bearer ") else {
            throw HTTPError(.unauthorized, message: "An access token is required (Authorization: Bearer <token>).")
        }
        let token = String(header.dropFirst("bearer ".count)).trimmingCharacters(in: .whitespaces)
        guard let principal = try await issuer.principal(forToken: token) else {
            throw HTTPError(.unauthorized, message: "The access token is invalid or has expired.")
        }
        var context = context
        context.principal = principal
        return try await next(request, context)
    }
}
