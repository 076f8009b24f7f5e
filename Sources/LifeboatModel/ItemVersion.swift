import Foundation

/// One state of a drive item (file or folder) as a backup saw it: a row of the temporal item table.
///
/// A row is valid from the restore point that first saw this state (`validFrom`) until the restore point
/// that saw it change or vanish (`validTo`, `nil` while it is current). Earlier Graph versions of a file
/// (from `/versions`) are rows too, with `graphVersionID` set and `isHistorical` true.
public struct ItemVersion: Sendable, Hashable, Codable {
    /// Catalog row id (assigned on insert; 0 before).
    public var rowID: Int64
    /// Graph drive id.
    public var driveID: String
    /// Graph item id (stable across renames and moves).
    public var itemID: String
    /// Graph id of the parent folder; `nil` for the drive root.
    public var parentID: String?
    /// Item name.
    public var name: String
    /// Whether the item is a folder.
    public var isFolder: Bool
    /// Whether this row is the drive's root folder.
    public var isRoot: Bool
    /// Size in bytes (files) or total size (folders, as Graph reports it).
    public var size: Int64
    /// Graph eTag of this state.
    public var eTag: String?
    /// Graph cTag (content tag) of this state; files only.
    public var cTag: String?
    /// Base64 quickXorHash of the content; files only.
    public var quickXorHash: String?
    /// MIME type; files only.
    public var mimeType: String?
    /// Creation time in the tenant.
    public var createdAt: Date?
    /// Last modification time in the tenant.
    public var modifiedAt: Date?
    /// Display name or UPN of the creator.
    public var createdBy: String?
    /// Display name or UPN of the last modifier.
    public var modifiedBy: String?
    /// Graph version label (`"3.0"`) for historical versions; for the current state, the latest label if known.
    public var graphVersionID: String?
    /// True for an earlier Graph version of a file (from `/versions`), false for the item's state itself.
    public var isHistorical: Bool
    /// Serialized `ContentManifest` locating the bytes in the repository; files only.
    public var content: [UInt8]?
    /// Sequence of the restore point that first saw this state.
    public var validFrom: Int64
    /// Sequence of the restore point that saw this state end (changed, moved or deleted); `nil` while current.
    public var validTo: Int64?

    /// Creates an item version.
    public init(
        rowID: Int64 = 0, driveID: String, itemID: String, parentID: String?, name: String, isFolder: Bool,
        isRoot: Bool = false, size: Int64, eTag: String? = nil, cTag: String? = nil, quickXorHash: String? = nil,
        mimeType: String? = nil, createdAt: Date? = nil, modifiedAt: Date? = nil, createdBy: String? = nil,
        modifiedBy: String? = nil, graphVersionID: String? = nil, isHistorical: Bool = false, content: [UInt8]? = nil,
        validFrom: Int64, validTo: Int64? = nil
    ) {
        self.rowID = rowID
        self.driveID = driveID
        self.itemID = itemID
        self.parentID = parentID
        self.name = name
        self.isFolder = isFolder
        self.isRoot = isRoot
        self.size = size
        self.eTag = eTag
        self.cTag = cTag
        self.quickXorHash = quickXorHash
        self.mimeType = mimeType
        self.createdAt = createdAt
        self.modifiedAt = modifiedAt
        self.createdBy = createdBy
        self.modifiedBy = modifiedBy
        self.graphVersionID = graphVersionID
        self.isHistorical = isHistorical
        self.content = content
        self.validFrom = validFrom
        self.validTo = validTo
    }
}
