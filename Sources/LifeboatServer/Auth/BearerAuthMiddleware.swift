import Foundation
import Hummingbird
import HTTPTypes

/// Requires `Authorization: Bearer <token>` on every request except those to the public paths, and records the principal.
///
/// Installed on the whole router, so unknown paths need a token too (an anonymous caller learns nothing of the routes).
/// Failures are `RequestError.unauthenticated`, rendered in the caller's dialect by that dialect's error middleware.
struct BearerAuthMiddleware: RouterMiddleware {
    typealias Context = LifeboatRequestContext

    let issuer: TokenIssuer
    /// Paths (lower-cased, without a trailing slash) reachable without a token.
    let publicPaths: Set<String>

    func handle(
        _ request: Request, context: LifeboatRequestContext,
        next: (Request, LifeboatRequestContext) async throws -> Response
    ) async throws -> Response {
        var path = request.uri.path.lowercased()
        while path.count > 1, path.hasSuffix("/") { path.removeLast() }
        if publicPaths.contains(path) { return try await next(request, context) }
        guard let header = request.headers[.authorization], header.lowercased().hasPrefix("bearer ") else {
            throw RequestError.unauthenticated("An access token is required (Authorization: Bearer <token>).")
        }
        let token = String(header.dropFirst("bearer ".count)).trimmingCharacters(in: .whitespaces)
        guard !token.isEmpty, let principal = try await issuer.principal(forToken: token) else {
            throw RequestError.unauthenticated("The access token is invalid or has expired.")
        }
        var context = context
        context.principal = principal
        return try await next(request, context)
    }
}
