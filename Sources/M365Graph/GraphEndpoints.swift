import Foundation
import LifeboatModel

/// Where a tenant's login and Graph endpoints live: Microsoft's global cloud, a national cloud, or the simulator.
public struct GraphEndpoints: Sendable, Hashable {
    /// Base URL of the token service, without the tenant segment (`https://login.microsoftonline.com`).
    public var loginBaseURL: String
    /// Base URL of Graph v1.0 (`https://graph.microsoft.com/v1.0`).
    public var graphBaseURL: String

    /// Creates endpoints; trailing slashes are removed.
    public init(loginBaseURL: String, graphBaseURL: String) {
        self.loginBaseURL = loginBaseURL.trimmingTrailingSlashes()
        self.graphBaseURL = graphBaseURL.trimmingTrailingSlashes()
    }

    /// The endpoints of one of Microsoft's clouds; nil for `custom`, whose base URLs the organization gives.
    public init?(cloud: NationalCloud) {
        guard let login = cloud.loginBaseURL, let graph = cloud.graphBaseURL else { return nil }
        self.init(loginBaseURL: login, graphBaseURL: graph)
    }

    /// The endpoints an organization's Graph calls go to: the base URLs it stores, whatever its cloud (the cloud only
    /// chose their defaults when it was registered, and an override of one URL keeps the other's default); a URL
    /// stored empty falls back to its cloud's.
    public init(organization: Organization) {
        let login = organization.loginBaseURL.trimmingCharacters(in: .whitespaces)
        let graph = organization.graphBaseURL.trimmingCharacters(in: .whitespaces)
        self.init(
            loginBaseURL: login.isEmpty ? organization.cloud.loginBaseURL ?? "" : login,
            graphBaseURL: graph.isEmpty ? organization.cloud.graphBaseURL ?? "" : graph)
    }

    /// Microsoft's global cloud.
    public static let global = GraphEndpoints(cloud: .worldwide)!
    /// US Government (GCC High).
    public static let usGovernment = GraphEndpoints(cloud: .usGovernment)!
    /// US Department of Defense.
    public static let usDoD = GraphEndpoints(cloud: .usDoD)!
    /// China, operated by 21Vianet.
    public static let china = GraphEndpoints(cloud: .china)!

    /// The `scope` value for client-credential tokens of this Graph host (`https://graph.microsoft.com/.default`).
    var defaultScope: String {
        guard let schemeEnd = graphBaseURL.range(of: "://") else { return "https://graph.microsoft.com/.default" }
        let rest = graphBaseURL[schemeEnd.upperBound...]
        let host = rest.split(separator: "/", maxSplits: 1).first.map(String.init) ?? String(rest)
        return graphBaseURL[..<schemeEnd.upperBound] + host + "/.default"
    }
}

/// An app registration's client credentials for one tenant.
public struct GraphCredentials: Sendable, Hashable {
    /// Tenant id or primary domain.
    public var tenantID: String
    /// Application (client) id.
    public var clientID: String
    /// Client secret. Never logged.
    public var clientSecret: String

    /// Creates credentials.
    public init(tenantID: String, clientID: String, clientSecret: String) {
        self.tenantID = tenantID
        self.clientID = clientID
        self.clientSecret = clientSecret
    }
}

extension String {
    func trimmingTrailingSlashes() -> String {
        var result = self
        while result.hasSuffix("/") { result.removeLast() }
        return result
    }
}
