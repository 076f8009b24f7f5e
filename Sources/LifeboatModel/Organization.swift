import Foundation

/// A Microsoft 365 tenant whose data Lifeboat protects.
public struct Organization: Sendable, Hashable, Codable {
    /// Lifeboat's own identifier of the organization.
    public var id: UUID
    /// Display name, usually the tenant's primary domain (`contoso.onmicrosoft.com`).
    public var name: String
    /// The Azure AD tenant id or domain used to obtain Graph tokens.
    public var tenantID: String
    /// The app registration's client id.
    public var clientID: String
    /// Base URL of the login endpoint (Microsoft's or the simulator's), without the tenant segment.
    public var loginBaseURL: String
    /// Base URL of Microsoft Graph v1.0 (Microsoft's, a national cloud's or the simulator's).
    public var graphBaseURL: String
    /// When the organization was registered with Lifeboat.
    public var createdAt: Date

    /// Creates an organization record.
    public init(
        id: UUID = UUID(), name: String, tenantID: String, clientID: String,
        loginBaseURL: String, graphBaseURL: String, createdAt: Date = Date()
    ) {
        self.id = id
        self.name = name
        self.tenantID = tenantID
        self.clientID = clientID
        self.loginBaseURL = loginBaseURL
        self.graphBaseURL = graphBaseURL
        self.createdAt = createdAt
    }
}
