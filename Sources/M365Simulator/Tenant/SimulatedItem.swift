import Foundation

/// A snapshot of one drive item (file or folder) as Graph would report it.
public struct SimulatedItem: Sendable, Hashable {
    /// driveItem id.
    public var id: String
    /// Drive holding the item.
    public var driveID: String
    /// Name (empty string never; the root is called "root").
    public var name: String
    /// Parent folder id, nil for the root.
    public var parentID: String?
    /// True for folders (including the root).
    public var isFolder: Bool
    /// Size in bytes (folders: total of their descendants' files).
    public var size: Int
    /// Changes on any change (content, name, parent).
    public var eTag: String
    /// Changes on content change only; nil for folders.
    public var cTag: String?
    /// Base64 QuickXorHash of the current content; nil for folders.
    public var quickXorHash: String?
    /// MIME type of files; nil for folders.
    public var mimeType: String?
    /// Creation time in the service.
    public var createdAt: Date
    /// Last modification time in the service.
    public var modifiedAt: Date
    /// `fileSystemInfo.createdDateTime` (client-set, preserved by restores).
    public var fileSystemCreatedAt: Date
    /// `fileSystemInfo.lastModifiedDateTime`.
    public var fileSystemModifiedAt: Date
    /// Current version id ("3.0") of files; nil for folders.
    public var versionID: String?
    /// Number of versions of a file (0 for folders).
    public var versionCount: Int
    /// Display name of the creator.
    public var createdByName: String
    /// Email of the creator.
    public var createdByEmail: String
    /// Display name of the last modifier.
    public var modifiedByName: String
    /// Email of the last modifier.
    public var modifiedByEmail: String
    /// True for the drive's root folder.
    public var isRoot: Bool
    /// True for tombstones reported by delta after a delete.
    public var isDeleted: Bool
    /// Direct children count of folders (0 for files).
    public var childCount: Int
    /// `shared.scope` (`users`, `organization` or `anonymous`) when the item or a folder above it is shared.
    public var sharedScope: String? = nil
    /// Whether a delta page asked for sharing changes marks the item `@microsoft.graph.sharedChanged`.
    public var sharingChanged = false
}
