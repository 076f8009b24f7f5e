/// A drive: a user's OneDrive or a site's document library.
public struct SimulatedDrive: Sendable, Hashable {
    /// What kind of drive this is, with Graph's `driveType` as raw value.
    public enum Kind: String, Sendable, Hashable {
        /// A user's OneDrive for Business.
        case business
        /// A SharePoint document library.
        case documentLibrary
    }

    /// Graph drive id (`b!...`).
    public var id: String
    /// Drive name ("OneDrive", "Documents", ...).
    public var name: String
    /// Kind of drive.
    public var kind: Kind
    /// Absolute web URL.
    public var webURL: String
    /// Id of the root folder item.
    public var rootItemID: String
    /// Owning user id for OneDrives.
    public var ownerUserID: String?
    /// Owning site id for document libraries.
    public var siteID: String?
}
