/// A SharePoint site or subsite.
public struct GraphSite: Sendable, Hashable, Decodable {
    /// `hostname,siteCollectionGuid,webGuid`.
    public var id: String
    public var webUrl: String
    public var displayName: String?
    public var name: String?

    /// Creates a site.
    public init(id: String, webUrl: String, displayName: String?, name: String?) {
        self.id = id
        self.webUrl = webUrl
        self.displayName = displayName
        self.name = name
    }
}
