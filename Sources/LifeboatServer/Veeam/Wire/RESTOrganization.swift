import Foundation
import LifeboatModel

/// `RestOrganizationComposed` as Lifeboat fills it for a Microsoft 365 organization.
///
/// Lifeboat backs up OneDrive and SharePoint only, so the Exchange and Teams flags are false.
struct RESTOrganization: Encodable, Sendable {
    var id: String
    var name: String
    var officeName: String
    /// `RestOrganizationType`: always `Office365`.
    var type: String
    /// `RestOrganizationRegion`: `Worldwide` unless the Graph endpoint names a national cloud.
    var region: String
    var isBackedup: Bool
    var firstBackuptime: Date?
    var lastBackuptime: Date?
    var isExchangeOnline: Bool
    var isSharePointOnline: Bool
    var isTeamsOnline: Bool
    var isTeamsChatsOnline: Bool
    var _links: [String: RESTLink]

    /// The organization with the backup times of its restore points (`restorePoints` in any order).
    init(_ organization: Organization, restorePoints: [RestorePoint]) {
        let id = organization.id.veeamID
        let times = restorePoints.map(\.backupTime)
        self.id = id
        self.name = organization.name
        self.officeName = organization.name
        self.type = "Office365"
        self.region = Self.region(graphBaseURL: organization.graphBaseURL)
        self.isBackedup = !times.isEmpty
        self.firstBackuptime = times.min()
        self.lastBackuptime = times.max()
        self.isExchangeOnline = false
        self.isSharePointOnline = true
        self.isTeamsOnline = false
        self.isTeamsChatsOnline = false
        self._links = [
            "self": RESTLink(href: "/v6/Organizations/\(id)"),
            "jobs": RESTLink(href: "/v6/Organizations/\(id)/Jobs"),
            "restorePoints": RESTLink(href: "/v6/RestorePoints?organizationId=\(id)"),
        ]
    }

    /// Veeam's region name for the national cloud a Graph endpoint belongs to.
    static func region(graphBaseURL: String) -> String {
        let host = URL(string: graphBaseURL)?.host?.lowercased() ?? ""
        if host.hasSuffix("microsoftgraph.chinacloudapi.cn") { return "China" }
        if host == "dod-graph.microsoft.us" { return "USDefence" }
        if host.hasSuffix("graph.microsoft.us") { return "USGovernment" }
        if host.hasSuffix("graph.microsoft.de") { return "Germany" }
        return "Worldwide"
    }
}
