/// A request for a file's bytes, as the simulator logged it: a Graph `/content` call (answered with a redirect)
/// or a hit on a pre-authenticated download URL (answered with the bytes).
public struct ContentRequest: Sendable, Hashable {
    /// Which of the two addresses was called.
    public enum Kind: Sendable, Hashable {
        /// `GET /v1.0/drives/{d}/items/{i}/content` or `.../versions/{v}/content`.
        case graphContent
        /// `GET /download/{token}`, the URL `/content` redirects to and `@microsoft.graph.downloadUrl` holds.
        case downloadURL
    }

    /// Which address was called.
    public var kind: Kind
    /// Drive of the file.
    public var driveID: String
    /// The file's item id.
    public var itemID: String
    /// The version asked for; `nil` for the current content through Graph (download URLs always name a version).
    public var versionID: String?

    /// Creates a content request.
    public init(kind: Kind, driveID: String, itemID: String, versionID: String?) {
        self.kind = kind
        self.driveID = driveID
        self.itemID = itemID
        self.versionID = versionID
    }
}
