import Foundation

/// A file or folder as `delta`, `items/{id}` and uploads return it.
public struct GraphDriveItem: Sendable, Hashable, Decodable {
    /// `parentReference`: delta gives the parent's id and drive id, never its path.
    public struct ParentReference: Sendable, Hashable, Decodable {
        public var driveId: String?
        public var id: String?
        public var path: String?
    }

    /// The `file` facet.
    public struct FileFacet: Sendable, Hashable, Decodable {
        public struct Hashes: Sendable, Hashable, Decodable {
            public var quickXorHash: String?
        }
        public var mimeType: String?
        public var hashes: Hashes?
    }

    /// The `folder` facet.
    public struct FolderFacet: Sendable, Hashable, Decodable {
        public var childCount: Int?
    }

    /// The `deleted` facet of a tombstone in delta.
    public struct DeletedFacet: Sendable, Hashable, Decodable {
        public var state: String?
    }

    /// `createdBy` / `lastModifiedBy`.
    public struct IdentitySet: Sendable, Hashable, Decodable {
        public var user: GraphIdentity?
    }

    /// `fileSystemInfo`: times as the client reported them.
    public struct FileSystemInfo: Sendable, Hashable, Decodable {
        public var createdDateTime: Date?
        public var lastModifiedDateTime: Date?
    }

    /// Marker for the `root` facet (an empty object).
    public struct RootFacet: Sendable, Hashable, Decodable {}

    public var id: String
    public var name: String?
    public var size: Int64?
    public var eTag: String?
    public var cTag: String?
    public var createdDateTime: Date?
    public var lastModifiedDateTime: Date?
    public var createdBy: IdentitySet?
    public var lastModifiedBy: IdentitySet?
    public var parentReference: ParentReference?
    public var file: FileFacet?
    public var folder: FolderFacet?
    public var deleted: DeletedFacet?
    public var root: RootFacet?
    public var fileSystemInfo: FileSystemInfo?
    /// Pre-authenticated download URL (files only); expires.
    public var downloadURL: String?

    enum CodingKeys: String, CodingKey {
        case id, name, size, eTag, cTag, createdDateTime, lastModifiedDateTime, createdBy, lastModifiedBy
        case parentReference, file, folder, deleted, root, fileSystemInfo
        case downloadURL = "@microsoft.graph.downloadUrl"
    }

    /// Whether this entry reports the item as deleted.
    public var isDeleted: Bool { deleted != nil }
    /// Whether the item is a folder (the root included).
    public var isFolder: Bool { folder != nil || root != nil }
    /// Whether the item is the drive's root.
    public var isRoot: Bool { root != nil }
}
