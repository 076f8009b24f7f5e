import LifeboatTestSupport
import M365Simulator

/// The edits a user makes to one drive between two backups: one of each kind a backup must tell apart.
/// `apply` picks the items deterministically from the drive's current tree and records which ones it touched.
struct DriveEdits: Sendable {
    let driveID: String
    /// A file whose content was replaced (a new Graph version).
    let editedFile: String
    /// A file given a new name in the same folder.
    let renamedFile: String
    /// A file moved to another folder, name unchanged.
    let movedFile: String
    /// The folder `movedFile` went to.
    let moveTarget: String
    /// A file deleted on its own.
    let deletedFile: String
    /// A folder deleted with everything in it.
    let deletedFolder: String
    /// Everything that was below `deletedFolder`.
    let deletedDescendants: Set<String>
    /// A folder created under the root.
    let newFolder: String
    /// A file created inside `newFolder`.
    let fileInNewFolder: String
    /// A file created in the root.
    let fileInRoot: String

    /// Files whose content a backup of these edits must download.
    var filesToDownload: Set<String> { [editedFile, fileInNewFolder, fileInRoot] }
    /// Every item that no longer exists after the edits.
    var deletedItems: Set<String> { deletedDescendants.union([deletedFile, deletedFolder]) }

    /// Applies one edit of each kind to `driveID`. Throws when the drive's tree is too small to pick distinct items.
    static func apply(to tenant: SimulatedTenant, driveID: String) async throws -> DriveEdits {
        let items = await TenantSnapshot.capture(tenant).items(driveID: driveID).values.map(\.item)
        let root = try unwrap(items.first(where: \.isRoot), "the drive has no root")
        func descendants(of folderID: String) -> Set<String> {
            var found: Set<String> = []
            var pending = [folderID]
            while let parent = pending.popLast() {
                for child in items where child.parentID == parent {
                    found.insert(child.id)
                    pending.append(child.id)
                }
            }
            return found
        }
        let byName = items.sorted { ($0.name, $0.id) < ($1.name, $1.id) }
        let folder = try unwrap(
            byName.first { item in
                item.isFolder && !item.isRoot && items.contains { !$0.isFolder && descendants(of: item.id).contains($0.id) }
            }, "no folder holds a file")
        let doomed = descendants(of: folder.id)
        let survivors = byName.filter { !$0.isFolder && !doomed.contains($0.id) }
        guard survivors.count >= 4 else { throw EditError.treeTooSmall("only \(survivors.count) files outside \(folder.name)") }
        let edited = try unwrap(survivors.first { $0.size > 0 }, "every file is empty")
        let others = survivors.filter { $0.id != edited.id }
        let moved = others[0]
        let target = try unwrap(
            byName.first { $0.isFolder && $0.id != folder.id && !doomed.contains($0.id) && $0.id != moved.parentID },
            "no folder to move into")
        let renamed = others[1]
        let deleted = others[2]

        try await tenant.updateContent(
            driveID: driveID, itemID: edited.id,
            bytes: Array("Edited between backups. ".utf8) + (await tenant.content(driveID: driveID, itemID: edited.id) ?? []))
        try await tenant.rename(driveID: driveID, itemID: renamed.id, to: "Renamed " + renamed.name)
        try await tenant.move(driveID: driveID, itemID: moved.id, toParent: target.id)
        try await tenant.delete(driveID: driveID, itemID: deleted.id)
        try await tenant.delete(driveID: driveID, itemID: folder.id)
        let newFolder = try await tenant.createFolder(driveID: driveID, parentID: root.id, name: "Created between backups")
        let inFolder = try await tenant.createFile(
            driveID: driveID, parentID: newFolder.id, name: "minutes.txt",
            bytes: Array(String(repeating: "Minutes of the meeting. ", count: 200).utf8))
        let inRoot = try await tenant.createFile(driveID: driveID, parentID: root.id, name: "new in root.bin", bytes: (0..<5000).map { UInt8($0 % 251) })
        return DriveEdits(
            driveID: driveID, editedFile: edited.id, renamedFile: renamed.id, movedFile: moved.id, moveTarget: target.id,
            deletedFile: deleted.id, deletedFolder: folder.id, deletedDescendants: doomed, newFolder: newFolder.id,
            fileInNewFolder: inFolder.id, fileInRoot: inRoot.id)
    }

    private static func unwrap<T>(_ value: T?, _ reason: String) throws -> T {
        guard let value else { throw EditError.treeTooSmall(reason) }
        return value
    }

    enum EditError: Error {
        case treeTooSmall(String)
    }
}
