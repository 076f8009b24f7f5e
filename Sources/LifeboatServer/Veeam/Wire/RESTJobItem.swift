/// `RESTJobItemComposed`: one user or site a job selects.
struct RESTJobItem: Encodable, Sendable {
    /// `RESTUser`.
    struct User: Encodable, Sendable {
        var id: String
        var name: String
        var displayName: String
        /// `User`, `Shared` or `Public`.
        var type: String
    }

    /// `RESTJobSite`; `id`, `url`, `title`, `isCloud` and `isPersonal` are required.
    struct Site: Encodable, Sendable {
        var id: String
        var url: String
        var name: String
        var title: String
        var isCloud: Bool
        var isPersonal: Bool
    }

    /// `RESTJobBackupItemType`: `User`, `Site`, `PartialOrganization`...
    var type: String
    var id: String
    var user: User?
    var site: Site?
    var oneDrive: Bool?
    var sites: Bool?

    /// Every OneDrive (`oneDrive`) or every site (`sites`) of the organization.
    static func partialOrganization(id: String, oneDrive: Bool, sites: Bool) -> RESTJobItem {
        RESTJobItem(type: "PartialOrganization", id: id, oneDrive: oneDrive, sites: sites)
    }

    /// A user whose OneDrive the job backs up, named by user principal name.
    static func user(principalName: String) -> RESTJobItem {
        RESTJobItem(
            type: "User", id: principalName,
            user: User(id: principalName, name: principalName, displayName: principalName, type: "User"), oneDrive: true)
    }

    /// A SharePoint site (and its subsites) the job backs up, named by absolute URL.
    static func site(url: String) -> RESTJobItem {
        let title = url.split(separator: "/").last.map(String.init) ?? url
        return RESTJobItem(
            type: "Site", id: url,
            site: Site(id: url, url: url, name: title, title: title, isCloud: true, isPersonal: false), sites: true)
    }
}
