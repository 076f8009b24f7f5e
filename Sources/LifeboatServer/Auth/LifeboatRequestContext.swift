import Hummingbird
import LifeboatModel
import Logging

/// The request context of every Lifeboat route: Hummingbird's core plus the authenticated principal.
public struct LifeboatRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// Who made the request; set by `BearerAuthMiddleware`, `nil` on public routes.
    public var principal: Principal?

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.principal = nil
    }

    /// The principal, or a 401 when the route was reached without authentication.
    func requirePrincipal() throws -> Principal {
        guard let principal else { throw RequestError.unauthenticated("An access token is required (Authorization: Bearer <token>).") }
        return principal
    }
}
