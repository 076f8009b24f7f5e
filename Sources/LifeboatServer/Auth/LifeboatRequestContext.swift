import Hummingbird
import LifeboatModel
import Logging

/// The request context of every Lifeboat route: Hummingbird's core plus the authenticated principal.
public struct LifeboatRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// Who made the request; set by `BearerAuthMiddleware`, `nil` on public routes.
    public var principal: Principal?
    /// The AvePoint envelope's request id, trace id and time; set by `AvePointErrorMiddleware` on `/backup/m365` paths.
    var avePoint: AvePointRequestIdentity?
    /// The client's IP address (the TCP peer), which failed sign-ins are counted against; nil when unknown.
    var clientAddress: String?

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.principal = nil
        self.avePoint = nil
        self.clientAddress = source.channel.remoteAddress?.ipAddress
    }

    /// The principal, or a 401 when the route was reached without authentication.
    func requirePrincipal() throws -> Principal {
        guard let principal else { throw RequestError.unauthenticated("An access token is required (Authorization: Bearer <token>).") }
        return principal
    }

    /// The principal, when it grants `scope` (or `admin`); otherwise a 403 naming the scope, or a 401 without one.
    @discardableResult
    func requireScope(_ scope: String) throws -> Principal {
        let principal = try requirePrincipal()
        guard principal.grants(scope) else {
            throw RequestError.forbidden("The access token does not grant the scope this operation requires: \(scope).")
        }
        return principal
    }
}
