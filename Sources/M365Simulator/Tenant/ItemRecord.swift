import Foundation

/// Someone who created or modified an item.
struct Person: Sendable, Hashable {
    var displayName: String
    var email: String
}

/// One stored version of a file's content.
struct VersionRecord: Sendable {
    /// Graph version id, e.g. "2.0".
    var id: String
    var content: VersionContent
    var modifiedAt: Date
    var modifiedBy: Person

    init(id: String, content: VersionContent, modifiedAt: Date, modifiedBy: Person) {
        self.id = id
        self.content = content
        self.modifiedAt = modifiedAt
        self.modifiedBy = modifiedBy
    }

    init(id: String, bytes: [UInt8], quickXorHash: String, modifiedAt: Date, modifiedBy: Person) {
        self.init(id: id, content: .stored(bytes: bytes, quickXorHash: quickXorHash), modifiedAt: modifiedAt, modifiedBy: modifiedBy)
    }

    /// Length in bytes.
    var size: Int { content.count }
    /// Base64 quickXorHash of the content.
    var quickXorHash: String { content.quickXorHash }
    /// All bytes, in memory: for test helpers and small files only.
    var bytes: [UInt8] { content.bytes(in: 0..<content.count) }
}

/// The mutable state of one drive item inside the tenant actor.
struct ItemRecord: Sendable {
    var id: String
    /// Stable GUID used in eTag and cTag.
    var guid: String
    var name: String
    var parentID: String?
    var isFolder: Bool
    var isRoot: Bool
    var mimeType: String?
    /// Oldest first; the last one is the current content. Empty for folders.
    var versions: [VersionRecord]
    var nextVersionNumber: Int
    var revision: Int
    var contentRevision: Int
    var createdAt: Date
    var modifiedAt: Date
    var fileSystemCreatedAt: Date
    var fileSystemModifiedAt: Date
    var createdBy: Person
    var modifiedBy: Person
    /// Drive change counter value of this item's last change (delta reports items with lastChange > token).
    var lastChange: Int
    var isDeleted: Bool

    var eTag: String { "\"{\(guid)},\(revision)\"" }
    var cTag: String? { isFolder ? nil : "\"c:{\(guid)},\(contentRevision)\"" }
    var size: Int { versions.last?.size ?? 0 }
}
