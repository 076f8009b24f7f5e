import Foundation
import SeededRandom

extension SimulatedTenant {
    /// Creates a folder holding `fileCount` files whose records and bytes are generated from `seed` when read (never held
    /// in memory; see `BulkFolder`), so a drive of hundreds of thousands of items costs memory only for the files changed
    /// since and 28 bytes a file for its quickXorHash once listed. Files are named `file-0000001.bin`, ...; sizes are drawn
    /// from `seed` between 0 and `maxFileSize`. Enumerations list them page by page like any other item, and they can be
    /// changed, moved or deleted like any other. Returns the folder.
    public func createBulkFolder(
        driveID: String, parentID: String, name: String, fileCount: Int, maxFileSize: Int, seed: UInt64
    ) throws -> SimulatedItem {
        let folder = try createFolder(driveID: driveID, parentID: parentID, name: name)
        guard var state = drivesByID[driveID] else { return folder }
        state.addBulkFolder(folderID: folder.id, fileCount: fileCount, maxFileSize: maxFileSize, seed: seed, author: appPerson)
        drivesByID[driveID] = state
        return snapshot(state.record(folder.id)!, in: state)
    }
}
