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
    /// The Microsoft cloud the tenant lives in; `custom` when the base URLs point elsewhere (the simulator, a proxy).
    public var cloud: NationalCloud
    /// Base URL of the login endpoint (Microsoft's or the simulator's), without the tenant segment.
    public var loginBaseURL: String
    /// Base URL of Microsoft Graph v1.0 (Microsoft's, a national cloud's or the simulator's).
    public var graphBaseURL: String
    /// The Graph budget Lifeboat paces itself to, in resource units per minute for the app in this tenant; nil for the
    /// default (see `effectiveResourceUnitsPerMinute`).
    public var resourceUnitsPerMinute: Int?
    /// When the organization was registered with Lifeboat.
    public var createdAt: Date
    /// The IANA time zone (`Europe/Berlin`) the organization's schedules are read in; `UTC` unless set.
    public var timeZoneIdentifier: String

    /// Graph's budget for a tenant under 1,000 licences, the smallest tier (larger tenants get 2,500, 3,750, 5,000 or 6,250).
    public static let smallTenantResourceUnitsPerMinute = 1_250

    /// Creates an organization record with explicit endpoints; `cloud` is recognised from `graphBaseURL` unless given.
    public init(
        id: UUID = UUID(), name: String, tenantID: String, clientID: String,
        loginBaseURL: String, graphBaseURL: String, cloud: NationalCloud? = nil, resourceUnitsPerMinute: Int? = nil,
        createdAt: Date = Date(), timeZoneIdentifier: String = "UTC"
    ) {
        self.timeZoneIdentifier = timeZoneIdentifier
        self.id = id
        self.name = name
        self.tenantID = tenantID
        self.clientID = clientID
        self.cloud = cloud ?? NationalCloud(graphBaseURL: graphBaseURL)
        self.loginBaseURL = loginBaseURL
        self.graphBaseURL = graphBaseURL
        self.resourceUnitsPerMinute = resourceUnitsPerMinute
        self.createdAt = createdAt
    }

    /// Creates an organization record in one of Microsoft's clouds, with that cloud's endpoints.
    /// - Precondition: `cloud` is not `custom` (give its base URLs with the other initializer).
    public init(
        id: UUID = UUID(), name: String, tenantID: String, clientID: String, cloud: NationalCloud,
        resourceUnitsPerMinute: Int? = nil, createdAt: Date = Date()
    ) {
        precondition(cloud != .custom, "A custom cloud needs explicit base URLs")
        self.init(
            id: id, name: name, tenantID: tenantID, clientID: clientID, loginBaseURL: cloud.loginBaseURL ?? "",
            graphBaseURL: cloud.graphBaseURL ?? "", cloud: cloud, resourceUnitsPerMinute: resourceUnitsPerMinute,
            createdAt: createdAt)
    }

    /// The organization's time zone; UTC when its identifier names none this system knows.
    public var timeZone: TimeZone { TimeZone(identifier: timeZoneIdentifier) ?? TimeZone(secondsFromGMT: 0)! }

    /// The budget to pace Graph calls to: the configured one, else the small-tenant tier for Microsoft's clouds, else
    /// none for custom endpoints (their budget is unknown; the client still backs off on 429 and `RateLimit-*`).
    public var effectiveResourceUnitsPerMinute: Int? {
        resourceUnitsPerMinute ?? (cloud == .custom ? nil : Self.smallTenantResourceUnitsPerMinute)
    }
}
