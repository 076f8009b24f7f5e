import Foundation

/// One entry of `GET /drives/{d}/items/{i}/versions` (newest first; the first is the current version).
public struct GraphItemVersion: Sendable, Hashable, Decodable {
    /// Version label, e.g. `"3.0"`.
    public var id: String
    public var lastModifiedDateTime: Date?
    public var lastModifiedBy: GraphDriveItem.IdentitySet?
    public var size: Int64?
}
