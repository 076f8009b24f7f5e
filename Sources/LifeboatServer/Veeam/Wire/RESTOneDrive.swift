import Foundation
import LifeboatModel

/// `RESTOneDrive`: a user's OneDrive as a restore session holds it (seed 002).
///
/// `id` is the Graph drive id, which restore actions take back; `name` is the owner's display name.
struct RESTOneDrive: Encodable, Sendable {
    var id: String
    var name: String
    var url: String
    var _links: [String: RESTLink]

    /// The drive as seen by session `sessionID`.
    init(_ drive: ProtectedDrive, sessionID: UUID) {
        let base = Self.href(sessionID: sessionID, driveID: drive.driveID)
        self.id = drive.driveID
        self.name = Self.displayName(drive)
        self.url = drive.webURL
        self._links = [
            "self": RESTLink(href: base),
            "folders": RESTLink(href: "\(base)/folders?parentId=root"),
            "allfolders": RESTLink(href: "\(base)/folders"),
            "documents": RESTLink(href: "\(base)/documents?parentId=root"),
            "alldocuments": RESTLink(href: "\(base)/documents"),
        ]
    }

    /// A OneDrive the catalog no longer describes, known only by its id.
    init(id: String, sessionID: UUID) {
        let base = Self.href(sessionID: sessionID, driveID: id)
        self.id = id
        self.name = id
        self.url = ""
        self._links = ["self": RESTLink(href: base)]
    }

    /// The name Veeam shows for a OneDrive: its owner's display name, else the drive's own name.
    static func displayName(_ drive: ProtectedDrive) -> String {
        if let owner = drive.ownerDisplayName, !owner.isEmpty { return owner }
        return drive.name
    }

    /// The relative link of a OneDrive in a session, its Graph id percent-encoded.
    static func href(sessionID: UUID, driveID: String) -> String {
        "/v6/restoresessions/\(sessionID.veeamID)/organization/onedrives/\(driveID.veeamPathSegment)"
    }
}
