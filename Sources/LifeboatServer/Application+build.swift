import BackupEngine
import Catalog
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle

/// Where the HTTP server listens, and how it protects itself from slow, idle or too many clients and from sign-in
/// storms.
public struct ServerConfiguration: Sendable {
    /// Address to bind (`127.0.0.1` by default; `0.0.0.0` to serve the network).
    public var host: String
    /// Port; 0 picks a free one (tests).
    public var port: Int
    /// How long a new connection may take to send its first request's head; then it is closed (slow-loris clients).
    public var headerReadTimeout: Duration
    /// How long a request's body may take to arrive once its head has; then the connection is closed.
    public var bodyReadTimeout: Duration
    /// How long a kept-alive connection may wait for its next request's head; then it is closed.
    public var idleTimeout: Duration
    /// Connections open at once; a connection beyond it is closed as soon as it is accepted, so the process keeps
    /// file descriptors for the connections it serves and for its own files.
    public var maximumConnections: Int
    /// Threads verifying passwords and client secrets (scrypt); kept below the core count.
    public var hashingThreads: Int
    /// Verifications that may wait for a hashing thread; a sign-in beyond them is refused with 503 and `Retry-After`.
    public var hashingQueueLimit: Int
    /// How failed sign-ins slow further ones.
    public var signInThrottle: SignInThrottlePolicy

    /// Creates a configuration.
    public init(
        host: String = "127.0.0.1", port: Int = 8080, headerReadTimeout: Duration = .seconds(10),
        bodyReadTimeout: Duration = .seconds(60), idleTimeout: Duration = .seconds(60), maximumConnections: Int = 512,
        hashingThreads: Int = 1, hashingQueueLimit: Int = 32, signInThrottle: SignInThrottlePolicy = .init()
    ) {
        self.host = host
        self.port = port
        self.headerReadTimeout = headerReadTimeout
        self.bodyReadTimeout = bodyReadTimeout
        self.idleTimeout = idleTimeout
        self.maximumConnections = maximumConnections
        self.hashingThreads = hashingThreads
        self.hashingQueueLimit = hashingQueueLimit
        self.signInThrottle = signInThrottle
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
    /// Other long-lived work of the node, run beside the server and stopped with it (the scheduler).
    public var backgroundServices: [any Service]
    public var logger: Logger

    /// Creates the dependencies; `restoreWorker` must run jobs with `restores`.
    public init(
        catalog: any CatalogStore, worker: BackupWorker, restores: RestoreRunner, restoreWorker: RestoreWorker,
        issuer: TokenIssuer, hasher: SecretHasher, backgroundServices: [any Service] = [], logger: Logger
    ) {
        self.backgroundServices = backgroundServices
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
/// requests no route matches: an unknown `/v6` path is a 401 without a token and a 404 with one, in Veeam's shape,
/// and a known path with a method it lacks a 405 with `Allow`. Sign-ins verify secrets on `hashingPool`, slowed by
/// `signInThrottle` after failures.
public func buildRouter(
    _ dependencies: ServerDependencies, hashingPool: PasswordHashingPool, signInThrottle: SignInThrottle
) -> Router<LifeboatRequestContext> {
    let signIn = SignInGate(pool: hashingPool, throttle: signInThrottle)
    let router = Router(context: LifeboatRequestContext.self, options: .caseInsensitive)
    router.add(middleware: VeeamErrorMiddleware())
    router.add(middleware: AvePointErrorMiddleware())
    router.add(middleware: BearerAuthMiddleware(issuer: dependencies.issuer, publicPaths: ["/health", "/v6/token", "/connect/token"]))
    HealthRoutes(catalog: dependencies.catalog).addRoutes(to: router)
    ClientCredentialsRoutes(catalog: dependencies.catalog, issuer: dependencies.issuer, signIn: signIn).addRoutes(to: router)
    AvePointRoutes(catalog: dependencies.catalog, restoreWorker: dependencies.restoreWorker).addRoutes(to: router.group("backup/m365"))
    let v6 = router.group("v6").add(middleware: RequiredScopeMiddleware(scope: APIScope.admin))
    let v3 = router.group("v3").add(middleware: RequiredScopeMiddleware(scope: APIScope.admin))
    VeeamRoutes(
        catalog: dependencies.catalog, worker: dependencies.worker, issuer: dependencies.issuer, signIn: signIn
    ).addRoutes(to: v6)
    VeeamRestoreSessionRoutes(catalog: dependencies.catalog).addRoutes(to: v6)
    let oneDriveActions = VeeamOneDriveActionRoutes(catalog: dependencies.catalog, restores: dependencies.restores)
    oneDriveActions.addRoutes(to: v3)
    oneDriveActions.addV6Routes(to: v6)
    router.add(middleware: MethodNotAllowedMiddleware(routes: router.routes))
    return router
}

/// Builds the Lifeboat application: the router, the HTTP server with `configuration`'s timeouts and connection cap,
/// and the background backup and restore workers and the password-hashing pool as managed services.
/// - Parameters:
///   - signInThrottle: the failed sign-in limiter (one with a test clock in tests); by default one with
///     `configuration.signInThrottle`'s policy.
///   - onServerRunning: called with the bound port once the server listens.
public func buildApplication(
    _ configuration: ServerConfiguration, dependencies: ServerDependencies, signInThrottle: SignInThrottle? = nil,
    onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
) -> some ApplicationProtocol {
    let hashingPool = PasswordHashingPool(
        hasher: dependencies.hasher, threadCount: configuration.hashingThreads, queueLimit: configuration.hashingQueueLimit)
    let throttle = signInThrottle ?? SignInThrottle(policy: configuration.signInThrottle)
    let guardrails = ConnectionGuardrails(configuration, logger: dependencies.logger)
    var app = Application(
        router: buildRouter(dependencies, hashingPool: hashingPool, signInThrottle: throttle),
        server: .http1(
            configuration: .init(
                additionalChannelHandlers: guardrails.handlers(), idleTimeout: TimeAmount(configuration.idleTimeout))),
        configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "Lifeboat"),
        onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? configuration.port) },
        logger: dependencies.logger)
    app.addServices(dependencies.worker, dependencies.restoreWorker, hashingPool)
    app.addServices(dependencies.backgroundServices)
    return app
}
