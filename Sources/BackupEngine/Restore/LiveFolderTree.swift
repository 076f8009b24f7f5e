import Foundation
import M365Graph

/// The tenant's folders of one drive as a restore finds or creates them, by path below the drive root.
///
/// Paths are matched case-insensitively (OneDrive and SharePoint names are). Resolved folder ids are cached for the
/// job; concurrent callers creating the same folder are reconciled on Graph's 409 by listing the parent again.
actor LiveFolderTree {
    private let graph: any GraphAPI
    private let driveID: String
    private let rootID: String
    private var folderIDs: [String: String] = [:]

    init(graph: any GraphAPI, driveID: String, rootID: String) {
        self.graph = graph
        self.driveID = driveID
        self.rootID = rootID
    }

    /// The id of the live folder at `components` below the root, creating every missing folder on the way.
    /// - Throws: `RestoreItemFailure.nameTakenByFile` when a file holds the name of a folder on the path; Graph errors.
    func folderID(at components: [String]) async throws -> String {
        var parentID = rootID
        var key = ""
        for component in components {
            let parentKey = key
            key += "/" + component.lowercased()
            if let known = folderIDs[key] {
                parentID = known
                continue
            }
            let id = try await existingOrNewFolder(named: component, in: parentID, parentKey: parentKey)
            folderIDs[key] = id
            parentID = id
        }
        return parentID
    }

    private func existingOrNewFolder(named name: String, in parentID: String, parentKey: String) async throws -> String {
        // One listing resolves every existing sibling folder too, so restoring many subfolders of one folder lists it once.
        let children = try await graph.children(driveID: driveID, itemID: parentID)
        for child in children where child.isFolder {
            let key = parentKey + "/" + (child.name ?? "").lowercased()
            if folderIDs[key] == nil { folderIDs[key] = child.id }
        }
        let lowered = name.lowercased()
        if let existing = children.first(where: { ($0.name ?? "").lowercased() == lowered }) {
            guard existing.isFolder else { throw RestoreItemFailure.nameTakenByFile(path: parentKey + "/" + lowered) }
            return existing.id
        }
        do {
            return try await graph.createFolder(driveID: driveID, parentID: parentID, name: name, conflict: .fail).id
        } catch let error as GraphError {
            // Another task created it since the listing: use theirs.
            guard case .service(409, _, _, _) = error, let raced = try await child(named: name, of: parentID), raced.isFolder
            else { throw error }
            return raced.id
        }
    }

    private func child(named name: String, of parentID: String) async throws -> GraphDriveItem? {
        let lowered = name.lowercased()
        return try await graph.children(driveID: driveID, itemID: parentID).first { ($0.name ?? "").lowercased() == lowered }
    }
}

/// Why one item could not be restored, in words an admin can act on.
enum RestoreItemFailure: Error, Sendable, CustomStringConvertible {
    case nameTakenByFile(path: String)
    case nameTakenByFolder(name: String)
    case notInBackup(itemID: String)
    case noContent(name: String)
    case sizeMismatch(expected: Int64, read: Int64)
    case verificationFailed(name: String, expected: String, uploaded: String)
    case uploadIncomplete(name: String)

    var description: String {
        switch self {
        case .nameTakenByFile(let path):
            return "A file in the tenant has the name of folder '\(path)'; the folder and its contents were not restored."
        case .nameTakenByFolder(let name):
            return "A folder named '\(name)' exists where the file is restored; the file was not restored."
        case .notInBackup(let itemID):
            return "Item \(itemID) is not in the backup at the restore point."
        case .noContent(let name):
            return "The backup holds no content for '\(name)'."
        case .sizeMismatch(let expected, let read):
            return "The backed-up content has \(read) bytes where \(expected) were recorded; the repository may be damaged."
        case .verificationFailed(let name, let expected, let uploaded):
            return "'\(name)' was uploaded but the tenant reports quickXorHash \(uploaded) instead of \(expected)."
        case .uploadIncomplete(let name):
            return "The upload of '\(name)' ended before Microsoft Graph confirmed the file."
        }
    }
}
