import Foundation

/// A drive and all its items (tombstones included) inside the tenant actor.
///
/// Items are stored one by one, except the unchanged files of bulk folders, which are computed when asked for (see
/// `BulkFolder`); every read goes through `record(_:)` and the iterations below, which see both alike.
struct DriveState: Sendable {
    /// Where an item stands and when it last changed, without computing a bulk file's whole record.
    struct Outline {
        var id: String
        var parentID: String?
        var isDeleted: Bool
        var lastChange: Int
    }

    var drive: SimulatedDrive
    /// Items made or changed one by one (a bulk file once it changed), by id.
    private var storedItems: [String: ItemRecord]
    private var bulkFolders: [BulkFolder] = []
    /// Monotonic change counter; every mutation takes the next value.
    var counter: Int
    /// Delta tokens below this value answer 410 resyncRequired.
    var oldestValidToken: Int
    /// Sharing permissions set on items themselves (inherited ones are computed from these), by item id.
    var permissions: [String: [SimulatedPermission]] = [:]
    /// The change number of each item's last sharing change, for delta's `deltashowsharingchanges`.
    var sharingChanges: [String: Int] = [:]

    init(drive: SimulatedDrive, counter: Int = 0, oldestValidToken: Int = 0) {
        self.drive = drive
        self.storedItems = [:]
        self.counter = counter
        self.oldestValidToken = oldestValidToken
    }

    /// The item with this id, live or deleted.
    func record(_ id: String) -> ItemRecord? {
        if let stored = storedItems[id] { return stored }
        for folder in bulkFolders {
            if let index = folder.index(of: id) { return folder.record(at: index) }
        }
        return nil
    }

    /// How many items are stored one by one (tombstones included): what the drive's size in memory grows with.
    var storedItemCount: Int { storedItems.count }

    /// Stores `record`, replacing the item with its id (a bulk file's computed record included).
    mutating func store(_ record: ItemRecord) {
        if storedItems.updateValue(record, forKey: record.id) == nil, record.id.hasPrefix(BulkFolder.idMark) {
            for index in bulkFolders.indices { bulkFolders[index].hide(record.id) }
        }
    }

    /// Adds `fileCount` generated files to the folder `folderID` (stored already), taking the next change numbers.
    mutating func addBulkFolder(folderID: String, fileCount: Int, maxFileSize: Int, seed: UInt64, author: Person) {
        let folder = BulkFolder(
            ordinal: bulkFolders.count, folderID: folderID, fileCount: fileCount, maxFileSize: maxFileSize, seed: seed,
            createdAt: Date(), firstChange: counter + 1, author: author)
        counter += folder.fileCount
        bulkFolders.append(folder)
    }

    /// Deletes the unchanged files of the bulk folder `folderID` (if it is one), each taking the next change number,
    /// without storing a tombstone apiece.
    mutating func deleteBulkFiles(inFolder folderID: String, at date: Date) {
        for index in bulkFolders.indices where bulkFolders[index].folderID == folderID {
            counter += bulkFolders[index].delete(firstChange: counter + 1, at: date)
        }
    }

    /// Calls `body` once with every item (tombstones included) changed after `changeNumber`; unchanged bulk files at or
    /// below it are skipped without being computed.
    func forEachRecord(changedAfter changeNumber: Int, _ body: (ItemRecord) throws -> Void) rethrows {
        for record in storedItems.values where record.lastChange > changeNumber { try body(record) }
        for folder in bulkFolders {
            for index in folder.indices(changedAfter: changeNumber) where !folder.changed.contains(index) {
                try body(folder.record(at: index))
            }
        }
    }

    /// Calls `body` once with the outline of every item (tombstones included).
    func forEachOutline(_ body: (Outline) throws -> Void) rethrows {
        for record in storedItems.values {
            try body(
                Outline(id: record.id, parentID: record.parentID, isDeleted: record.isDeleted, lastChange: record.lastChange))
        }
        for folder in bulkFolders {
            for index in folder.unchangedIndices {
                try body(
                    Outline(
                        id: folder.id(at: index), parentID: folder.folderID, isDeleted: folder.deletion != nil,
                        lastChange: folder.lastChange(at: index)))
            }
        }
    }

    /// Ids of the live direct children of `folderID`, sorted by name for stable output; without the unchanged files of
    /// a bulk folder unless `includingBulkFiles`.
    func childIDs(of folderID: String, includingBulkFiles: Bool = true) -> [String] {
        var children: [(id: String, name: String)] = storedItems.values.filter { $0.parentID == folderID && !$0.isDeleted }
            .map { ($0.id, $0.name) }
        for folder in bulkFolders where includingBulkFiles && folder.folderID == folderID && folder.deletion == nil {
            for index in folder.unchangedIndices {
                children.append((folder.id(at: index), folder.name(at: index)))
            }
        }
        return children.sorted {
            $0.name.localizedStandardCompare($1.name) == .orderedAscending || ($0.name == $1.name && $0.id < $1.id)
        }.map(\.id)
    }

    /// How many live items `folderID` holds directly.
    func liveChildCount(of folderID: String) -> Int {
        var count = storedItems.values.lazy.filter { $0.parentID == folderID && !$0.isDeleted }.count
        for folder in bulkFolders where folder.folderID == folderID {
            count += folder.liveCount
        }
        return count
    }

    /// The live child of `folderID` named `name` (case-insensitive, as SharePoint compares names).
    func child(of folderID: String, named name: String) -> ItemRecord? {
        let lowered = name.lowercased()
        if let stored = storedItems.values.first(where: { $0.parentID == folderID && !$0.isDeleted && $0.name.lowercased() == lowered }) {
            return stored
        }
        for folder in bulkFolders where folder.folderID == folderID && folder.deletion == nil {
            if let index = folder.index(ofName: name), !folder.changed.contains(index) { return folder.record(at: index) }
        }
        return nil
    }

    /// Total bytes of every live file under each folder, computed in one pass.
    func folderSizes() -> [String: Int] {
        var parents: [String: String] = [:]
        for record in storedItems.values where record.isFolder {
            if let parent = record.parentID { parents[record.id] = parent }
        }
        var sizes: [String: Int] = [:]
        func add(_ size: Int, from parentID: String?) {
            var parent = parentID
            while let folder = parent {
                sizes[folder, default: 0] += size
                parent = parents[folder]
            }
        }
        for record in storedItems.values where !record.isFolder && !record.isDeleted { add(record.size, from: record.parentID) }
        for folder in bulkFolders where folder.deletion == nil {
            add(folder.unchangedIndices.reduce(0) { $0 + folder.size(at: $1) }, from: folder.folderID)
        }
        return sizes
    }

    /// The permissions `itemID` has: its own, then those it inherits from each ancestor, nearest first.
    func effectivePermissions(of itemID: String) -> [SimulatedPermission] {
        guard !permissions.isEmpty else { return [] }
        var result = permissions[itemID] ?? []
        var parent = record(itemID)?.parentID
        while let folderID = parent {
            result += (permissions[folderID] ?? []).map { inherited in
                var permission = inherited
                permission.inheritedFrom = folderID
                return permission
            }
            parent = record(folderID)?.parentID
        }
        return result
    }

    /// The `shared.scope` of `itemID`, from its own permissions and its ancestors'; nil when it is not shared.
    ///
    /// Asked for every item a listing renders, so it walks the ancestors without copying their permissions.
    func sharingScope(of itemID: String) -> String? {
        guard !permissions.isEmpty else { return nil }
        var widest: String?
        var current: String? = itemID
        while let id = current {
            for permission in permissions[id] ?? [] {
                widest = SimulatedPermission.widestScope([widest, permission.sharingScope].compactMap { $0 })
            }
            current = record(id)?.parentID
        }
        return widest
    }
}
