import Foundation
import SeededRandom

extension SimulatedTenant {
    /// Creates a folder holding `fileCount` files whose bytes are generated from `seed` when read (never held in memory),
    /// so a drive of hundreds of thousands of items costs only their metadata. Files are named `file-0000001.bin`, ...;
    /// sizes are drawn from `seed` between 0 and `maxFileSize`. Enumerations list them page by page like any other item.
    /// Returns the folder.
    public func createBulkFolder(
        driveID: String, parentID: String, name: String, fileCount: Int, maxFileSize: Int, seed: UInt64
    ) throws -> SimulatedItem {
        let folder = try createFolder(driveID: driveID, parentID: parentID, name: name)
        // Taken out of the dictionary so that adding the files mutates the only copy of the drive's items.
        guard var state = drivesByID.removeValue(forKey: driveID) else { return folder }
        defer { drivesByID[driveID] = state }
        state.items.reserveCapacity(state.items.count + fileCount)
        var sizes = SplitMix64(seed: seed)
        let now = Date()
        let digits = max(7, String(fileCount).count)
        for index in 0..<max(0, fileCount) {
            state.counter += 1
            let number = String(index + 1)
            let fileName = "file-\(String(repeating: "0", count: digits - number.count))\(number).bin"
            let size = Int(sizes.next() % UInt64(max(0, maxFileSize) + 1))
            let content = GeneratedContent(seed: seed ^ Self.stableHash(fileName), size: size)
            let record = ItemRecord(
                id: rng.itemID(), guid: rng.guid(), name: fileName, parentID: folder.id, isFolder: false, isRoot: false,
                mimeType: "application/octet-stream",
                versions: [VersionRecord(id: "1.0", content: .generated(content), modifiedAt: now, modifiedBy: appPerson)],
                nextVersionNumber: 2, revision: 1, contentRevision: 1, createdAt: now, modifiedAt: now,
                fileSystemCreatedAt: now, fileSystemModifiedAt: now, createdBy: appPerson, modifiedBy: appPerson,
                lastChange: state.counter, isDeleted: false)
            state.items[record.id] = record
        }
        return snapshot(state.items[folder.id]!, in: state)
    }
}
