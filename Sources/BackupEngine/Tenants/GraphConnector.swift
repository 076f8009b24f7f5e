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

/// The production connector: one shared `HTTPClient`, credentials from the catalog.
public struct CatalogGraphConnector: GraphConnector {
    private let catalog: any CatalogStore
    private let httpClient: HTTPClient
    private let retryPolicy: GraphClient.RetryPolicy
    private let logger: Logger

    /// Creates a connector; the caller owns `httpClient` (create it with `GraphClient.makeHTTPClient()`).
    /// - Parameter retryPolicy: how each client insists on transient failures (tests shorten the backoff).
    public init(
        catalog: any CatalogStore, httpClient: HTTPClient, retryPolicy: GraphClient.RetryPolicy = GraphClient.RetryPolicy(),
        logger: Logger
    ) {
        self.catalog = catalog
        self.httpClient = httpClient
        self.retryPolicy = retryPolicy
        self.logger = logger
    }

    public func graph(for organization: Organization) async throws -> any GraphAPI {
        guard let secret = try await catalog.graphSecret(organizationID: organization.id) else {
            throw EngineError.missingGraphSecret(organization: organization.name)
        }
        var logger = logger
        logger[metadataKey: "lifeboat.organization"] = "\(organization.name)"
        return GraphClient(
            httpClient: httpClient,
            endpoints: GraphEndpoints(loginBaseURL: organization.loginBaseURL, graphBaseURL: organization.graphBaseURL),
            credentials: GraphCredentials(
                tenantID: organization.tenantID, clientID: organization.clientID, clientSecret: secret),
            retryPolicy: retryPolicy, logger: logger)
    }
}
