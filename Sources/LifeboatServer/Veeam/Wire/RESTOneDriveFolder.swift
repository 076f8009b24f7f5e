import Foundation
import LifeboatModel

/// `RESTOneDriveFolder`: a folder of a OneDrive as a restore session holds it.
///
/// `id` is the Graph item id. The schema requires the author fields; a state Graph reported without them answers
/// an empty name and .NET's `DateTime.MinValue`, as Veeam does for unknown values.
struct RESTOneDriveFolder: Encodable, Sendable {
    var id: String
    var name: String
    var version: String?
    var versionId: Int?
    var createdBy: String
    var creationTime: Date
    var modifiedBy: String
    var modificationTime: Date
    var _links: [String: RESTLink]

    /// The folder state `item` of drive `driveID` as seen by session `sessionID`.
    init(_ item: ItemVersion, sessionID: UUID, driveID: String, rootID: String?) {
        let drive = RESTOneDrive.href(sessionID: sessionID, driveID: driveID)
        let id = item.itemID.veeamPathSegment
        self.id = item.itemID
        self.name = item.name
        self.version = item.graphVersionID
        self.versionId = RESTOneDriveDocument.versionNumber(item.graphVersionID)
        self.createdBy = item.createdBy ?? ""
        self.creationTime = item.createdAt ?? item.modifiedAt ?? .distantPast
        self.modifiedBy = item.modifiedBy ?? item.createdBy ?? ""
        self.modificationTime = item.modifiedAt ?? item.createdAt ?? .distantPast
        var links = [
            "self": RESTLink(href: "\(drive)/folders/\(id)"),
            "onedrive": RESTLink(href: drive),
            "folders": RESTLink(href: "\(drive)/folders?parentId=\(id)"),
            "documents": RESTLink(href: "\(drive)/documents?parentId=\(id)"),
        ]
        if let parent = item.parentID, parent != rootID {
            links["parent"] = RESTLink(href: "\(drive)/folders/\(parent.veeamPathSegment)")
        }
        self._links = links
    }
}
