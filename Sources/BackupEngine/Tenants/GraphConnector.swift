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
    private let logger: Logger

    /// Creates a connector; the caller owns `httpClient` (create it with `GraphClient.makeHTTPClient()`).
    /// Create one per process: clients of different connectors do not share a throttle.
    /// - Parameter retryPolicy: how each client insists on transient failures (tests shorten the backoff).
    public init(
        catalog: any CatalogStore, httpClient: HTTPClient, retryPolicy: GraphClient.RetryPolicy = GraphClient.RetryPolicy(),
        logger: Logger
    ) {
        self.catalog = catalog
        self.tenants = GraphTenantRegistry(httpClient: httpClient)
        self.retryPolicy = retryPolicy
        self.logger = logger
    }

    public func graph(for organization: Organization) async throws -> any GraphAPI {
        guard let secret = try await catalog.graphSecret(organizationID: organization.id) else {
            throw EngineError.missingGraphSecret(organization: organization.name)
        }
        var logger = logger
        logger[metadataKey: "lifeboat.organization"] = "\(organization.name)"
        return await tenants.client(
            endpoints: GraphEndpoints(loginBaseURL: organization.loginBaseURL, graphBaseURL: organization.graphBaseURL),
            credentials: GraphCredentials(
                tenantID: organization.tenantID, clientID: organization.clientID, clientSecret: secret),
            retryPolicy: retryPolicy, logger: logger)
    }
}
