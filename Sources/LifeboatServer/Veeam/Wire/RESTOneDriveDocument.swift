import Foundation
import LifeboatModel

/// `RESTOneDriveDocument`: a file of a OneDrive as a restore session holds it; one per state with `showAllVersions`.
///
/// `id` is the Graph item id; `version` Graph's version label (`3.0`) and `versionId` its major number, which
/// tell the states of one file apart. Missing author fields are filled as for `RESTOneDriveFolder`.
struct RESTOneDriveDocument: Encodable, Sendable {
    var id: String
    var name: String
    var sizeBytes: Int64
    var version: String?
    var versionId: Int?
    var createdBy: String
    var creationTime: Date
    var modifiedBy: String
    var modificationTime: Date
    var _links: [String: RESTLink]

    /// The file state `item` of drive `driveID` as seen by session `sessionID`.
    init(_ item: ItemVersion, sessionID: UUID, driveID: String, rootID: String?) {
        let drive = RESTOneDrive.href(sessionID: sessionID, driveID: driveID)
        let id = item.itemID.veeamPathSegment
        self.id = item.itemID
        self.name = item.name
        self.sizeBytes = item.size
        self.version = item.graphVersionID
        self.versionId = Self.versionNumber(item.graphVersionID)
        self.createdBy = item.createdBy ?? ""
        self.creationTime = item.createdAt ?? item.modifiedAt ?? .distantPast
        self.modifiedBy = item.modifiedBy ?? item.createdBy ?? ""
        self.modificationTime = item.modifiedAt ?? item.createdAt ?? .distantPast
        var links = [
            "self": RESTLink(href: "\(drive)/documents/\(id)"),
            "onedrive": RESTLink(href: drive),
            "versions": RESTLink(href: "\(drive)/documents/\(id)/versions"),
        ]
        if let parent = item.parentID, parent != rootID {
            links["parent"] = RESTLink(href: "\(drive)/folders/\(parent.veeamPathSegment)")
        }
        self._links = links
    }

    /// The major number of a Graph version label (`3` of `3.0`), or nil.
    static func versionNumber(_ label: String?) -> Int? {
        guard let major = label?.split(separator: ".").first, let number = Int(major), Int32(exactly: number) != nil else {
            return nil
        }
        return number
    }
}
