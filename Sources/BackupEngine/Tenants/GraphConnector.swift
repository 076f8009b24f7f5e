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
    private let logger: Logger

    /// Creates a connector; the caller owns `httpClient` (create it with `GraphClient.makeHTTPClient()`).
    public init(catalog: any CatalogStore, httpClient: HTTPClient, logger: Logger) {
        self.catalog = catalog
        self.httpClient = httpClient
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
            logger: logger)
    }
}
