import M365Simulator

/// What a simulated tenant held at one moment, read from the simulator's own state: every live item of every drive
/// with its bytes and Graph version history. Capture one before each mutation to know what a restore point must show.
public struct TenantSnapshot: Sendable {
    /// One earlier or current version of a file.
    public struct Version: Sendable, Hashable {
        /// Graph version label (`"2.0"`).
        public var id: String
        /// The version's bytes.
        public var bytes: [UInt8]
    }

    /// One file or folder.
    public struct Item: Sendable, Hashable {
        /// The item as the simulator describes it (name, parent, size, hash...).
        public var item: SimulatedItem
        /// Current bytes; empty for folders.
        public var bytes: [UInt8]
        /// Every version oldest first, the current one last; empty for folders.
        public var versions: [Version]
    }

    /// Items by drive id, then by item id (the root folder included).
    public var drives: [String: [String: Item]]

    /// Creates a snapshot from items by drive id, then by item id (e.g. a subset of a captured one).
    public init(drives: [String: [String: Item]]) {
        self.drives = drives
    }

    /// The items of one drive by id; empty for an unknown drive.
    public func items(driveID: String) -> [String: Item] {
        drives[driveID] ?? [:]
    }

    /// Reads every live item of every drive of `tenant`, walking each drive from its root.
    public static func capture(_ tenant: SimulatedTenant) async -> TenantSnapshot {
        var drives: [String: [String: Item]] = [:]
        for drive in await tenant.drives() {
            var items: [String: Item] = [:]
            var pending = await tenant.item(driveID: drive.id, path: "").map { [$0] } ?? []
            while let item = pending.popLast() {
                if item.isFolder {
                    items[item.id] = Item(item: item, bytes: [], versions: [])
                    pending += await tenant.children(driveID: drive.id, folderID: item.id)
                } else {
                    let versions = await tenant.versionContents(driveID: drive.id, itemID: item.id)
                        .map { Version(id: $0.id, bytes: $0.bytes) }
                    items[item.id] = Item(item: item, bytes: versions.last?.bytes ?? [], versions: versions)
                }
            }
            drives[drive.id] = items
        }
        return TenantSnapshot(drives: drives)
    }
}
