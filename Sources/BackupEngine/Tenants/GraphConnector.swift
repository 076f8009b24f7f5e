import AsyncHTTPClient
import Catalog
import Foundation
import LifeboatModel
import Logging
import M365Graph

/// Makes Graph clients for organizations from their catalog records and stored secrets.
public protocol GraphConnector: Sendable {
    /// A Graph client signed in as the organization's app registration.
    func graph(for organization: Organization) async throws -> any GraphAPI
}

/// The production connector: one shared `HTTPClient`, credentials from the catalog, and one throttle and token cache
/// per tenant shared by every client it makes (and by copies of it), so concurrent runs of an organization wait out the
/// same `Retry-After` and sign in once.
public struct CatalogGraphConnector: GraphConnector {
    private let catalog: any CatalogStore
    private let tenants: GraphTenantRegistry
    private let retryPolicy: GraphClient.RetryPolicy
    private let maxConcurrency: Int
    private let budgetWindow: Duration
    private let logger: Logger

    /// Creates a connector; the caller owns `httpClient` (create it with `GraphClient.makeHTTPClient()`).
    /// Create one per process: clients of different connectors do not share a throttle.
    /// - Parameters:
    ///   - retryPolicy: how each client insists on transient failures (tests shorten the backoff).
    ///   - maxConcurrency: the ceiling of each tenant's adaptive concurrency (Graph requests and file transfers in flight).
    ///   - budgetWindow: the window Graph counts an organization's budget over (a minute); tests and benchmarks
    ///     shorten it together with the simulator's.
    public init(
        catalog: any CatalogStore, httpClient: HTTPClient, retryPolicy: GraphClient.RetryPolicy = GraphClient.RetryPolicy(),
        maxConcurrency: Int = 16, budgetWindow: Duration = .seconds(60), logger: Logger
    ) {
        self.budgetWindow = budgetWindow
        self.catalog = catalog
        self.tenants = GraphTenantRegistry(httpClient: httpClient)
        self.retryPolicy = retryPolicy
        self.maxConcurrency = maxConcurrency
        self.logger = logger
    }

    public func graph(for organization: Organization) async throws -> any GraphAPI {
        guard let secret = try await catalog.graphSecret(organizationID: organization.id) else {
            throw EngineError.missingGraphSecret(organization: organization.name)
        }
        var logger = logger
        logger[metadataKey: "lifeboat.organization"] = "\(organization.name)"
        return await tenants.client(
            endpoints: GraphEndpoints(organization: organization),
            credentials: GraphCredentials(
                tenantID: organization.tenantID, clientID: organization.clientID, clientSecret: secret),
            retryPolicy: retryPolicy,
            pacing: GraphPacing(
                resourceUnitsPerMinute: organization.effectiveResourceUnitsPerMinute, maxConcurrency: maxConcurrency,
                window: budgetWindow),
            logger: logger)
    }
}
