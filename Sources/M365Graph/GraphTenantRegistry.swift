import AsyncHTTPClient
import Logging

/// Hands out `GraphClient`s that share, per tenant and app registration, one `ThrottleGate`, one resource-unit bucket,
/// one adaptive concurrency limiter and one token cache, so that every run of the process waits out the same
/// `Retry-After`, paces to the same budget, counts toward the same requests in flight and signs in once.
///
/// Graph counts its budget per app per tenant, so clients are grouped by endpoints, tenant id and client id,
/// whatever catalog record they were made for. A changed client secret keeps the pause but starts a new token
/// cache (tokens of the old secret are dropped with it). Keep one registry per `HTTPClient` for the life of the process.
public actor GraphTenantRegistry {
    /// What Graph's throttling is keyed by.
    private struct Tenant: Hashable {
        var endpoints: GraphEndpoints
        var tenantID: String
        var clientID: String
    }

    /// What the clients of one tenant share.
    private struct Shared {
        var clientSecret: String
        var tokens: GraphTokenProvider
        let throttle: ThrottleGate
        let pacer: ResourceUnitPacer
        let limiter: ConcurrencyLimiter
    }

    private let httpClient: HTTPClient
    private var tenants: [Tenant: Shared] = [:]

    /// Creates an empty registry whose clients use `httpClient` (configured as `GraphClient.makeHTTPClient()` does).
    public init(httpClient: HTTPClient) {
        self.httpClient = httpClient
    }

    /// A client for `credentials` at `endpoints` sharing the throttle and tokens of every other client of that tenant.
    /// - Parameters:
    ///   - retryPolicy: this client's own insistence; the pause it honours is the tenant's.
    ///   - pacing: the tenant's budget and concurrency ceiling; a changed one applies to every client of the tenant.
    ///   - pageSize: `$top` for delta and listings.
    public func client(
        endpoints: GraphEndpoints, credentials: GraphCredentials, retryPolicy: GraphClient.RetryPolicy = GraphClient.RetryPolicy(),
        pacing: GraphPacing = GraphPacing(), pageSize: Int = 200, logger: Logger
    ) async -> GraphClient {
        let key = Tenant(endpoints: endpoints, tenantID: credentials.tenantID.lowercased(), clientID: credentials.clientID.lowercased())
        let shared: Shared
        if var existing = tenants[key] {
            if existing.clientSecret != credentials.clientSecret {
                existing.clientSecret = credentials.clientSecret
                existing.tokens = Self.tokenProvider(httpClient, endpoints, credentials, retryPolicy, logger)
                tenants[key] = existing
            }
            shared = existing
        } else {
            shared = Shared(
                clientSecret: credentials.clientSecret, tokens: Self.tokenProvider(httpClient, endpoints, credentials, retryPolicy, logger),
                throttle: ThrottleGate(), pacer: ResourceUnitPacer(pacing: pacing),
                limiter: ConcurrencyLimiter(ceiling: pacing.maxConcurrency))
            tenants[key] = shared
        }
        await shared.pacer.update(pacing)
        await shared.limiter.update(ceiling: pacing.maxConcurrency)
        return GraphClient(
            httpClient: httpClient, endpoints: endpoints, tokens: shared.tokens, throttle: shared.throttle,
            pacer: shared.pacer, limiter: shared.limiter, retryPolicy: retryPolicy, pageSize: pageSize, logger: logger)
    }

    /// The tenant's token provider, signing in with the first client's sign-in retries and logger.
    private static func tokenProvider(
        _ httpClient: HTTPClient, _ endpoints: GraphEndpoints, _ credentials: GraphCredentials,
        _ retryPolicy: GraphClient.RetryPolicy, _ logger: Logger
    ) -> GraphTokenProvider {
        GraphTokenProvider(
            httpClient: httpClient, endpoints: endpoints, credentials: credentials, userAgent: GraphClient.userAgent,
            retryDelays: retryPolicy.signInRetryDelays, logger: logger)
    }
}
