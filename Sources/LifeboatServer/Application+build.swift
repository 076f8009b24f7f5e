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
    /// Runs backup jobs in the background.
    public var worker: BackupWorker
    /// Runs restore jobs synchronously (Veeam's restore actions answer when the restore has ended).
    public var restores: RestoreRunner
    /// Runs restore jobs in the background (AvePoint's restore jobs answer with a job id at once).
    public var restoreWorker: RestoreWorker
    public var issuer: TokenIssuer
    public var hasher: SecretHasher
    public var logger: Logger

    /// Creates the dependencies; `restoreWorker` must run jobs with `restores`.
    public init(
        catalog: any CatalogStore, worker: BackupWorker, restores: RestoreRunner, restoreWorker: RestoreWorker,
        issuer: TokenIssuer, hasher: SecretHasher, logger: Logger
    ) {
        self.catalog = catalog
        self.worker = worker
        self.restores = restores
        self.restoreWorker = restoreWorker
        self.issuer = issuer
        self.hasher = hasher
        self.logger = logger
    }
}

/// Builds the router with every dialect; requests other than to the token and health endpoints need a bearer token,
/// and the Veeam dialect's routes need the `admin` scope (signed-in administrators), AvePoint's their documented scopes.
///
/// Paths match case-insensitively (Veeam's clients send `/v6/Token`, its OpenAPI document says `/v6/token`).
/// The error and authentication middlewares are installed on the router before any route, so they also answer
/// requests no route matches: an unknown `/v6` path is a 401 without a token and a 404 with one, in Veeam's shape.
public func buildRouter(_ dependencies: ServerDependencies) -> Router<LifeboatRequestContext> {
    let router = Router(context: LifeboatRequestContext.self, options: .caseInsensitive)
    router.add(middleware: VeeamErrorMiddleware())
    router.add(middleware: AvePointErrorMiddleware())
    router.add(middleware: BearerAuthMiddleware(issuer: dependencies.issuer, publicPaths: ["/health", "/v6/token", "/connect/token"]))
    HealthRoutes(catalog: dependencies.catalog).addRoutes(to: router)
    ClientCredentialsRoutes(catalog: dependencies.catalog, issuer: dependencies.issuer, hasher: dependencies.hasher).addRoutes(to: router)
    AvePointRoutes(catalog: dependencies.catalog, restoreWorker: dependencies.restoreWorker).addRoutes(to: router.group("backup/m365"))
    let v6 = router.group("v6").add(middleware: RequiredScopeMiddleware(scope: APIScope.admin))
    let v3 = router.group("v3").add(middleware: RequiredScopeMiddleware(scope: APIScope.admin))
    VeeamRoutes(
        catalog: dependencies.catalog, worker: dependencies.worker, issuer: dependencies.issuer, hasher: dependencies.hasher
    ).addRoutes(to: v6)
    VeeamRestoreSessionRoutes(catalog: dependencies.catalog).addRoutes(to: v6)
    let oneDriveActions = VeeamOneDriveActionRoutes(catalog: dependencies.catalog, restores: dependencies.restores)
    oneDriveActions.addRoutes(to: v3)
    oneDriveActions.addV6Routes(to: v6)
    return router
}

/// Builds the Lifeboat application: the router plus the background backup and restore workers as managed services.
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
    app.addServices(dependencies.worker, dependencies.restoreWorker)
    return app
}
