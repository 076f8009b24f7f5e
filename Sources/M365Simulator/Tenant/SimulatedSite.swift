/// A SharePoint site (collection or subsite) of the simulated tenant.
public struct SimulatedSite: Sendable, Hashable {
    /// Graph site id `host,siteGuid,webGuid`.
    public var id: String
    /// Absolute URL, e.g. `https://contoso.sharepoint.com/sites/Finance`.
    public var url: String
    /// Display name.
    public var title: String
    /// URL name (last path component).
    public var name: String
    /// Id of the parent site for subsites, nil for site collections.
    public var parentSiteID: String?
    /// Ids of the site's document libraries, "Documents" first.
    public var driveIDs: [String]
}
