import Foundation
import SeededRandom

/// The state of a simulated Microsoft 365 tenant: users, sites, drives, items with versions, delta history.
///
/// Every mutation bumps the item's eTag (and on content change its cTag, quickXorHash and version) and records a
/// change in the drive's counter so that `root/delta` reports it. Methods that take ids throw
/// `M365SimulatorError.itemNotFound` for unknown or deleted items.
public actor SimulatedTenant {
    /// Tenant id (GUID) clients use in the token endpoint path.
    public nonisolated let tenantID: String
    /// App registration client id.
    public nonisolated let clientID: String
    /// App registration client secret.
    public nonisolated let clientSecret: String
    /// The spec the tenant was generated from.
    public nonisolated let spec: TenantSpec

    var usersList: [SimulatedUser]
    var sitesList: [SimulatedSite]
    var driveOrder: [String]
    var drivesByID: [String: DriveState]
    var rng: SplitMix64
    var tokenRNG: SplitMix64
    var deltaSessions: [String: DeltaSnapshot] = [:]
    var nextDeltaSession = 1
    var uploadSessions: [String: UploadSessionState] = [:]
    var accessTokens: [String: Date] = [:]
    /// Share of files an enumeration from scratch lists twice (see `FaultPlan.duplicateDeltaItemShare`), and its seed.
    var deltaDuplicates: (share: Double, seed: UInt64) = (0, 0)
    /// Who the service records as the modifier of changes made through the API.
    let appPerson: Person

    /// Generates the tenant described by `spec`; the same spec always yields the same tenant.
    public init(spec: TenantSpec) {
        var generator = TenantGenerator(spec: spec)
        let output = generator.generate()
        self.spec = spec
        self.tenantID = output.tenantID
        self.clientID = output.clientID
        self.clientSecret = output.clientSecret
        self.usersList = output.users
        self.sitesList = output.sites
        self.driveOrder = output.drives.map(\.drive.id)
        self.drivesByID = Dictionary(uniqueKeysWithValues: output.drives.map { ($0.drive.id, $0) })
        self.rng = output.rng
        self.tokenRNG = SplitMix64(seed: spec.seed ^ 0x5EED_70CE_4A11_0001)
        self.appPerson = Person(displayName: "SharePoint App", email: "app@\(spec.domain).onmicrosoft.com")
    }

    // MARK: Queries

    /// Users in creation order.
    public func users() -> [SimulatedUser] { usersList }

    /// Sites (collections followed by their subsites) in creation order.
    public func sites() -> [SimulatedSite] { sitesList }

    /// Drives: users' OneDrives first, then document libraries, in creation order.
    public func drives() -> [SimulatedDrive] { driveOrder.compactMap { drivesByID[$0]?.drive } }

    /// The item at `path` ("Folder/File.docx", "" for the root), compared case-insensitively; nil when absent.
    public func item(driveID: String, path: String) -> SimulatedItem? {
        guard let state = drivesByID[driveID] else { return nil }
        let components = path.split(separator: "/").map(String.init)
        guard let record = Self.resolve(components, from: state.drive.rootItemID, in: state) else { return nil }
        return snapshot(record, in: state)
    }

    /// The live item with this id; nil when unknown or deleted.
    public func item(driveID: String, itemID: String) -> SimulatedItem? {
        guard let state = drivesByID[driveID], let record = state.record(itemID), !record.isDeleted else { return nil }
        return snapshot(record, in: state)
    }

    /// Live direct children of a folder, sorted by name; empty when the folder is unknown.
    public func children(driveID: String, folderID: String) -> [SimulatedItem] {
        guard let state = drivesByID[driveID] else { return [] }
        return state.childIDs(of: folderID).compactMap { state.record($0) }.map { snapshot($0, in: state) }
    }

    /// Current bytes of a file (test helper); nil for folders and unknown items.
    public func content(driveID: String, itemID: String) -> [UInt8]? {
        guard let record = drivesByID[driveID]?.record(itemID), !record.isDeleted, !record.isFolder else { return nil }
        return record.versions.last?.bytes ?? []
    }

    /// Every version of a file with its bytes, oldest first, the current version last.
    public func versionContents(driveID: String, itemID: String) -> [(id: String, bytes: [UInt8])] {
        guard let record = drivesByID[driveID]?.record(itemID), !record.isDeleted else { return [] }
        return record.versions.map { ($0.id, $0.bytes) }
    }

    /// Every live file of a drive, parents' files before deeper ones (tree order).
    public func allFiles(driveID: String) -> [SimulatedItem] {
        guard let state = drivesByID[driveID] else { return [] }
        return Self.treeOrder(state).compactMap { state.record($0) }.filter { !$0.isFolder }.map { snapshot($0, in: state) }
    }

    /// How many items of a drive are stored one by one rather than computed (bulk files never changed are computed).
    func storedItemCount(driveID: String) -> Int { drivesByID[driveID]?.storedItemCount ?? 0 }

    /// The current change counter of a drive (each mutation increments it).
    public func changeCounter(driveID: String) -> Int { drivesByID[driveID]?.counter ?? 0 }

    /// Makes every delta token issued so far for `driveID` answer 410 `resyncRequired` (fault injection).
    public func expireDeltaTokens(driveID: String) {
        guard var state = drivesByID[driveID] else { return }
        // A token is the counter it was issued at: advancing the counter lets links issued from now on stay valid.
        state.counter += 1
        state.oldestValidToken = state.counter
        drivesByID[driveID] = state
        deltaSessions = deltaSessions.filter { $0.value.driveID != driveID }
    }

    // MARK: Internal helpers

    /// Resolves path components from `startID`; nil when a component is missing.
    static func resolve(_ components: [String], from startID: String, in state: DriveState) -> ItemRecord? {
        guard var current = state.record(startID), !current.isDeleted else { return nil }
        for component in components where !component.isEmpty {
            guard current.isFolder, let next = state.child(of: current.id, named: component) else { return nil }
            current = next
        }
        return current
    }

    /// Live item ids in tree order (parents before children), starting with the root.
    static func treeOrder(_ state: DriveState) -> [String] {
        var childrenByParent: [String: [(id: String, lastChange: Int)]] = [:]
        state.forEachOutline { item in
            if !item.isDeleted, let parent = item.parentID { childrenByParent[parent, default: []].append((item.id, item.lastChange)) }
        }
        var order: [String] = []
        var queue = [state.drive.rootItemID]
        var index = 0
        while index < queue.count {
            let id = queue[index]
            index += 1
            order.append(id)
            let kids = (childrenByParent[id] ?? []).sorted { $0.lastChange < $1.lastChange }
            queue.append(contentsOf: kids.map(\.id))
        }
        return order
    }

    /// A free name in `parentID`: `name` itself, else "stem 1.ext", "stem 2.ext", ... (Graph's rename behaviour).
    static func availableName(_ name: String, in parentID: String, state: DriveState) -> String {
        if state.child(of: parentID, named: name) == nil { return name }
        let (stem, ext) = splitExtension(name)
        var n = 1
        while true {
            let candidate = "\(stem) \(n)\(ext)"
            if state.child(of: parentID, named: candidate) == nil { return candidate }
            n += 1
        }
    }

    static func splitExtension(_ name: String) -> (String, String) {
        if let dot = name.lastIndex(of: "."), dot != name.startIndex {
            return (String(name[..<dot]), String(name[dot...]))
        }
        return (name, "")
    }

    func requireDrive(_ driveID: String) throws -> DriveState {
        guard let state = drivesByID[driveID] else { throw M365SimulatorError.itemNotFound("Drive '\(driveID)' does not exist.") }
        return state
    }

    func requireItem(_ itemID: String, in state: DriveState) throws -> ItemRecord {
        guard let record = state.record(itemID), !record.isDeleted else {
            throw M365SimulatorError.itemNotFound("Item '\(itemID)' does not exist in drive '\(state.drive.id)'.")
        }
        return record
    }

    func snapshot(_ record: ItemRecord, in state: DriveState, folderSizes: [String: Int]? = nil) -> SimulatedItem {
        let size: Int
        let childCount: Int
        if record.isFolder {
            size = (folderSizes ?? state.folderSizes())[record.id] ?? 0
            childCount = record.isDeleted ? 0 : state.liveChildCount(of: record.id)
        } else {
            size = record.size
            childCount = 0
        }
        return SimulatedItem(
            id: record.id, driveID: state.drive.id, name: record.name, parentID: record.parentID, isFolder: record.isFolder,
            size: size, eTag: record.eTag, cTag: record.cTag, quickXorHash: record.isFolder ? nil : record.versions.last?.quickXorHash,
            mimeType: record.mimeType, createdAt: record.createdAt, modifiedAt: record.modifiedAt,
            fileSystemCreatedAt: record.fileSystemCreatedAt, fileSystemModifiedAt: record.fileSystemModifiedAt,
            versionID: record.versions.last?.id, versionCount: record.versions.count,
            createdByName: record.createdBy.displayName, createdByEmail: record.createdBy.email,
            modifiedByName: record.modifiedBy.displayName, modifiedByEmail: record.modifiedBy.email,
            isRoot: record.isRoot, isDeleted: record.isDeleted, childCount: childCount,
            sharedScope: record.isDeleted ? nil : state.sharingScope(of: record.id))
    }
}

extension SimulatedTenant {
    /// Resolves `relativePath` below `anchorID` (nil = root); throws `itemNotFound` naming the missing path.
    func resolveItem(driveID: String, anchorID: String?, relativePath: [String]) throws -> SimulatedItem {
        let state = try requireDrive(driveID)
        let start = anchorID ?? state.drive.rootItemID
        _ = try requireItem(start, in: state)
        guard let record = Self.resolve(relativePath, from: start, in: state) else {
            throw M365SimulatorError.itemNotFound("The item at path '\(relativePath.joined(separator: "/"))' does not exist.")
        }
        return snapshot(record, in: state)
    }

    /// The drive record; throws `itemNotFound` for unknown drives.
    func drive(id: String) throws -> SimulatedDrive {
        try requireDrive(id).drive
    }
}
