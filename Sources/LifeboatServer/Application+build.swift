import BackupEngine
import Catalog
import Hummingbird
import Logging
import NIOCore

/// Where the HTTP server listens.
public struct ServerConfiguration: Sendable {
    /// Address to bind (`127.0.0.1` by default; `0.0.0.0` to serve the network).
    public var host: String
    /// Port; 0 picks a free one (tests).
    public var port: Int

    /// Creates a configuration.
    public init(host: String = "127.0.0.1", port: Int = 8080) {
        self.host = host
        self.port = port
    }
}

/// The long-lived parts the HTTP layer calls into.
public struct ServerDependencies: Sendable {
    public var catalog: any CatalogStore
    public var worker: BackupWorker
    public var issuer: TokenIssuer
    public var hasher: SecretHasher
    public var logger: Logger

    /// Creates the dependencies.
    public init(catalog: any CatalogStore, worker: BackupWorker, issuer: TokenIssuer, hasher: SecretHasher, logger: Logger) {
        self.catalog = catalog
        self.worker = worker
        self.issuer = issuer
        self.hasher = hasher
        self.logger = logger
    }
}

/// Builds the router with every dialect; requests other than to the token and health endpoints need a bearer token.
///
/// Paths match case-insensitively (Veeam's clients send `/v6/Token`, its OpenAPI document says `/v6/token`).
/// The error and authentication middlewares are installed on the router before any route, so they also answer
/// requests no route matches: an unknown `/v6` path is a 401 without a token and a 404 with one, in Veeam's shape.
public func buildRouter(_ dependencies: ServerDependencies) -> Router<LifeboatRequestContext> {
    let router = Router(context: LifeboatRequestContext.self, options: .caseInsensitive)
    router.add(middleware: VeeamErrorMiddleware())
    router.add(middleware: BearerAuthMiddleware(issuer: dependencies.issuer, publicPaths: ["/health", "/v6/token"]))
    HealthRoutes(catalog: dependencies.catalog).addRoutes(to: router)
    VeeamRoutes(
        catalog: dependencies.catalog, worker: dependencies.worker, issuer: dependencies.issuer, hasher: dependencies.hasher
    ).addRoutes(to: router.group("v6"))
    return router
}

/// Builds the Lifeboat application: the router plus the background backup worker as a managed service.
/// - Parameter onServerRunning: called with the bound port once the server listens.
public func buildApplication(
    _ configuration: ServerConfiguration, dependencies: ServerDependencies,
    onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
) -> some ApplicationProtocol {
    var app = Application(
        router: buildRouter(dependencies),
        configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "Lifeboat"),
        onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? configuration.port) },
        logger: dependencies.logger)
    app.addServices(dependencies.worker)
    return app
}
