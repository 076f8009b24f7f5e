import Foundation

/// Whether a drive is a user's OneDrive or a SharePoint document library.
public enum DriveKind: String, Sendable, Hashable, Codable {
    case oneDrive
    case documentLibrary
}

/// A Graph drive that a job has backed up: a OneDrive or a document library.
public struct ProtectedDrive: Sendable, Hashable, Codable {
    /// Graph's drive id.
    public var driveID: String
    /// The organization it belongs to.
    public var organizationID: UUID
    /// OneDrive or document library.
    public var kind: DriveKind
    /// Drive (library) name.
    public var name: String
    /// The drive's web URL.
    public var webURL: String
    /// For OneDrives: the owner's user principal name.
    public var ownerUPN: String?
    /// For OneDrives: the owner's display name.
    public var ownerDisplayName: String?
    /// For libraries: Graph's site id (`host,siteGuid,webGuid`).
    public var siteID: String?
    /// For libraries: the site's absolute URL.
    public var siteURL: String?
    /// For libraries: the site's title.
    public var siteTitle: String?

    /// Creates a drive record.
    public init(
        driveID: String, organizationID: UUID, kind: DriveKind, name: String, webURL: String,
        ownerUPN: String? = nil, ownerDisplayName: String? = nil, siteID: String? = nil, siteURL: String? = nil,
        siteTitle: String? = nil
    ) {
        self.driveID = driveID
        self.organizationID = organizationID
        self.kind = kind
        self.name = name
        self.webURL = webURL
        self.ownerUPN = ownerUPN
        self.ownerDisplayName = ownerDisplayName
        self.siteID = siteID
        self.siteURL = siteURL
        self.siteTitle = siteTitle
    }
}
