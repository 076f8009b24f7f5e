import Foundation
import LifeboatModel

/// `RESTBackupOrganization`: the organization a restore session explores.
struct RESTBackupOrganization: Encodable, Sendable {
    var id: String
    var name: String
    /// `RestOrganizationType`: always `Office365`.
    var type: String
    var _links: [String: RESTLink]

    /// The organization explored by `session`; links to its OneDrives when it is a OneDrive session.
    init(_ organization: Organization, session restoreSession: RestoreSession) {
        let session = "/v6/restoresessions/\(restoreSession.id.veeamID)"
        self.id = organization.id.veeamID
        self.name = organization.name
        self.type = "Office365"
        var links = [
            "self": RESTLink(href: "\(session)/organization"),
            "restoreSession": RESTLink(href: session),
            "organization": RESTLink(href: "/v6/Organizations/\(organization.id.veeamID)"),
        ]
        if restoreSession.kind == .oneDrive {
            links["onedrives"] = RESTLink(href: "\(session)/organization/onedrives")
        }
        self._links = links
    }
}
