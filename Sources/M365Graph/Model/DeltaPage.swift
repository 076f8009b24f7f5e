/// One page of a drive's delta enumeration.
public struct DeltaPage: Sendable {
    /// Items in the order Graph sent them; an id may repeat and the last occurrence wins.
    public var items: [GraphDriveItem]
    /// Where the next page is, if the enumeration is not finished.
    public var nextLink: String?
    /// The link to store for the next incremental run; present on the last page only.
    public var deltaLink: String?

    /// Creates a page.
    public init(items: [GraphDriveItem], nextLink: String?, deltaLink: String?) {
        self.items = items
        self.nextLink = nextLink
        self.deltaLink = deltaLink
    }
}
