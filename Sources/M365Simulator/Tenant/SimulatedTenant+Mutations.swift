import Foundation

extension SimulatedTenant {
    /// Replaces a file's content, adding a version; eTag, cTag, quickXorHash and versionID all change.
    @discardableResult
    public func updateContent(driveID: String, itemID: String, bytes: [UInt8]) throws -> SimulatedItem {
        try updateContent(driveID: driveID, itemID: itemID, bytes: bytes, fileSystemInfo: nil)
    }

    /// Renames an item; fails with `nameAlreadyExists` when a sibling has that name.
    @discardableResult
    public func rename(driveID: String, itemID: String, to newName: String) throws -> SimulatedItem {
        try patch(driveID: driveID, itemID: itemID, name: newName, parentID: nil, fileSystemInfo: nil)
    }

    /// Moves an item under another folder of the same drive.
    @discardableResult
    public func move(driveID: String, itemID: String, toParent parentID: String) throws -> SimulatedItem {
        try patch(driveID: driveID, itemID: itemID, name: nil, parentID: parentID, fileSystemInfo: nil)
    }

    /// Deletes an item; a folder's descendants are deleted too and each is reported deleted by delta.
    public func delete(driveID: String, itemID: String) throws {
        var state = try requireDrive(driveID)
        let record = try requireItem(itemID, in: state)
        guard !record.isRoot else { throw M365SimulatorError.accessDenied("The root folder of a drive cannot be deleted.") }
        // Children first, so a tombstone never precedes its descendants' tombstones. A bulk folder's unchanged files are
        // deleted as one, before the folder, without a stored tombstone apiece.
        var toDelete: [String] = []
        func collect(_ id: String) {
            for child in state.childIDs(of: id, includingBulkFiles: false) { collect(child) }
            toDelete.append(id)
        }
        collect(itemID)
        let now = Date()
        for id in toDelete {
            state.deleteBulkFiles(inFolder: id, at: now)
            state.counter += 1
            guard var record = state.record(id) else { continue }
            record.isDeleted = true
            record.revision += 1
            record.modifiedAt = now
            record.lastChange = state.counter
            state.store(record)
        }
        drivesByID[driveID] = state
    }

    /// Removes a whole drive, as when a departed user's OneDrive is deleted: every later request to it answers 404.
    public func deleteDrive(driveID: String) throws {
        _ = try requireDrive(driveID)
        drivesByID[driveID] = nil
        driveOrder.removeAll { $0 == driveID }
    }

    /// Creates a file; fails with `nameAlreadyExists` when the name is taken.
    @discardableResult
    public func createFile(driveID: String, parentID: String, name: String, bytes: [UInt8]) throws -> SimulatedItem {
        try upsertFile(driveID: driveID, parentID: parentID, name: name, bytes: bytes, conflict: .fail, fileSystemInfo: nil).item
    }

    /// Creates a folder; fails with `nameAlreadyExists` when the name is taken.
    @discardableResult
    public func createFolder(driveID: String, parentID: String, name: String) throws -> SimulatedItem {
        try createFolder(driveID: driveID, parentID: parentID, name: name, conflict: .fail)
    }

    // MARK: Variants used by the HTTP layer

    /// Creates a folder honouring `conflict` (`replace` returns the existing folder unchanged).
    func createFolder(driveID: String, parentID: String, name: String, conflict: ConflictBehavior) throws -> SimulatedItem {
        var state = try requireDrive(driveID)
        let parent = try requireItem(parentID, in: state)
        guard parent.isFolder else { throw M365SimulatorError.invalidRequest("'\(parent.name)' is a file, not a folder.") }
        try Self.validate(name: name)
        var finalName = name
        if let existing = state.child(of: parentID, named: name) {
            switch conflict {
            case .fail: throw M365SimulatorError.nameAlreadyExists("An item named '\(name)' already exists in '\(parent.name)'.")
            case .replace:
                if existing.isFolder { return snapshot(existing, in: state) }
                throw M365SimulatorError.nameAlreadyExists("A file named '\(name)' already exists in '\(parent.name)'.")
            case .rename: finalName = Self.availableName(name, in: parentID, state: state)
            }
        }
        let now = Date()
        state.counter += 1
        let record = ItemRecord(
            id: rng.itemID(), guid: rng.guid(), name: finalName, parentID: parentID, isFolder: true, isRoot: false, mimeType: nil,
            versions: [], nextVersionNumber: 1, revision: 1, contentRevision: 1, createdAt: now, modifiedAt: now,
            fileSystemCreatedAt: now, fileSystemModifiedAt: now, createdBy: appPerson, modifiedBy: appPerson,
            lastChange: state.counter, isDeleted: false)
        state.store(record)
        drivesByID[driveID] = state
        return snapshot(record, in: state)
    }

    /// Creates a file of `size` bytes generated from `seed` whenever they are read and never held in memory, so a file
    /// of several GiB costs nothing until it is downloaded (with `Range` support like any other). Its quickXorHash is
    /// computed by streaming the bytes once, the first time the item is listed or read, and cached.
    public func createGeneratedFile(driveID: String, parentID: String, name: String, size: Int, seed: UInt64) throws
        -> SimulatedItem
    {
        try upsertFile(
            driveID: driveID, parentID: parentID, name: name, content: .generated(GeneratedContent(seed: seed, size: size)),
            conflict: .fail, fileSystemInfo: nil
        ).item
    }

    /// The bytes of `range` of a file's current content (clamped to its size), without reading the rest; nil for folders
    /// and unknown items. Lets tests compare large generated files piece by piece.
    public func contentBytes(driveID: String, itemID: String, range: Range<Int>) -> [UInt8]? {
        guard let record = drivesByID[driveID]?.record(itemID), !record.isDeleted, !record.isFolder else { return nil }
        return record.versions.last?.content.bytes(in: range) ?? []
    }

    /// Creates or replaces a file by name; returns the item and whether it was newly created.
    func upsertFile(
        driveID: String, parentID: String, name: String, bytes: [UInt8], conflict: ConflictBehavior,
        fileSystemInfo: FileSystemInfo?
    ) throws -> (item: SimulatedItem, created: Bool) {
        try upsertFile(
            driveID: driveID, parentID: parentID, name: name, content: .stored(bytes), conflict: conflict,
            fileSystemInfo: fileSystemInfo)
    }

    /// Creates or replaces a file by name with `content`; returns the item and whether it was newly created.
    func upsertFile(
        driveID: String, parentID: String, name: String, content: VersionContent, conflict: ConflictBehavior,
        fileSystemInfo: FileSystemInfo?
    ) throws -> (item: SimulatedItem, created: Bool) {
        var state = try requireDrive(driveID)
        let parent = try requireItem(parentID, in: state)
        guard parent.isFolder else { throw M365SimulatorError.invalidRequest("'\(parent.name)' is a file, not a folder.") }
        try Self.validate(name: name)
        var finalName = name
        if let existing = state.child(of: parentID, named: name) {
            switch conflict {
            case .fail: throw M365SimulatorError.nameAlreadyExists("An item named '\(name)' already exists in '\(parent.name)'.")
            case .replace:
                guard !existing.isFolder else {
                    throw M365SimulatorError.nameAlreadyExists("A folder named '\(name)' already exists in '\(parent.name)'.")
                }
                let item = try updateContent(driveID: driveID, itemID: existing.id, content: content, fileSystemInfo: fileSystemInfo)
                return (item, false)
            case .rename: finalName = Self.availableName(name, in: parentID, state: state)
            }
        }
        let now = Date()
        state.counter += 1
        let version = VersionRecord(id: "1.0", content: content, modifiedAt: now, modifiedBy: appPerson)
        let record = ItemRecord(
            id: rng.itemID(), guid: rng.guid(), name: finalName, parentID: parentID, isFolder: false, isRoot: false,
            mimeType: Self.mimeType(for: finalName), versions: [version], nextVersionNumber: 2, revision: 1, contentRevision: 1,
            createdAt: now, modifiedAt: now, fileSystemCreatedAt: fileSystemInfo?.createdAt ?? now,
            fileSystemModifiedAt: fileSystemInfo?.modifiedAt ?? now, createdBy: appPerson, modifiedBy: appPerson,
            lastChange: state.counter, isDeleted: false)
        state.store(record)
        drivesByID[driveID] = state
        return (snapshot(record, in: state), true)
    }

    /// Replaces content, adding a version, and optionally sets file system times.
    func updateContent(driveID: String, itemID: String, bytes: [UInt8], fileSystemInfo: FileSystemInfo?) throws -> SimulatedItem {
        try updateContent(driveID: driveID, itemID: itemID, content: .stored(bytes), fileSystemInfo: fileSystemInfo)
    }

    /// Replaces content with `content`, adding a version, and optionally sets file system times.
    func updateContent(driveID: String, itemID: String, content: VersionContent, fileSystemInfo: FileSystemInfo?) throws
        -> SimulatedItem
    {
        var state = try requireDrive(driveID)
        var record = try requireItem(itemID, in: state)
        guard !record.isFolder else { throw M365SimulatorError.invalidRequest("'\(record.name)' is a folder; it has no content.") }
        let now = Date()
        state.counter += 1
        record.versions.append(
            VersionRecord(id: "\(record.nextVersionNumber).0", content: content, modifiedAt: now, modifiedBy: appPerson))
        record.nextVersionNumber += 1
        record.revision += 1
        record.contentRevision += 1
        record.modifiedAt = now
        record.modifiedBy = appPerson
        record.fileSystemModifiedAt = fileSystemInfo?.modifiedAt ?? now
        if let created = fileSystemInfo?.createdAt { record.fileSystemCreatedAt = created }
        record.lastChange = state.counter
        state.store(record)
        drivesByID[driveID] = state
        return snapshot(record, in: state)
    }

    /// Renames and/or moves an item and/or sets its file system times (Graph's PATCH).
    func patch(driveID: String, itemID: String, name: String?, parentID: String?, fileSystemInfo: FileSystemInfo?) throws
        -> SimulatedItem
    {
        var state = try requireDrive(driveID)
        var record = try requireItem(itemID, in: state)
        if record.isRoot && (name != nil || parentID != nil) {
            throw M365SimulatorError.accessDenied("The root folder of a drive cannot be renamed or moved.")
        }
        let targetParent = parentID ?? record.parentID!
        let targetName = name ?? record.name
        if name != nil { try Self.validate(name: targetName) }
        if let parentID {
            let parent = try requireItem(parentID, in: state)
            guard parent.isFolder else { throw M365SimulatorError.invalidRequest("'\(parent.name)' is a file, not a folder.") }
            var walk: String? = parentID
            while let current = walk {
                if current == itemID { throw M365SimulatorError.invalidRequest("A folder cannot be moved into itself.") }
                walk = state.record(current)?.parentID
            }
        }
        if let clash = state.child(of: targetParent, named: targetName), clash.id != itemID {
            throw M365SimulatorError.nameAlreadyExists("An item named '\(targetName)' already exists in the target folder.")
        }
        state.counter += 1
        record.name = targetName
        record.parentID = targetParent
        if !record.isFolder, name != nil { record.mimeType = Self.mimeType(for: targetName) }
        if let created = fileSystemInfo?.createdAt { record.fileSystemCreatedAt = created }
        if let modified = fileSystemInfo?.modifiedAt { record.fileSystemModifiedAt = modified }
        record.revision += 1
        record.modifiedAt = Date()
        record.lastChange = state.counter
        state.store(record)
        drivesByID[driveID] = state
        return snapshot(record, in: state)
    }

    static func validate(name: String) throws {
        let forbidden: Set<Character> = ["\"", "*", ":", "<", ">", "?", "/", "\\", "|"]
        if name.isEmpty || name.contains(where: { forbidden.contains($0) }) || name.hasSuffix(".") || name.hasPrefix(" ") {
            throw M365SimulatorError.invalidRequest("'\(name)' is not a valid item name.")
        }
    }

    static func mimeType(for name: String) -> String {
        let ext = splitExtension(name).1.dropFirst().lowercased()
        return TenantGenerator.fileTypes.first { $0.ext == ext }?.mime ?? "application/octet-stream"
    }
}

/// Client-supplied file system times (`fileSystemInfo`) that a restore preserves.
struct FileSystemInfo: Sendable {
    var createdAt: Date?
    var modifiedAt: Date?
}
