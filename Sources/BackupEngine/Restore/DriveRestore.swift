import BoundedConcurrency
import Catalog
import ChunkStore
import Foundation
import LifeboatModel
import Logging
import M365Graph

/// Restores one `RestoreSelection`: the selected items of one drive, as one job backed them up at one restore point,
/// to their original paths in the same drive.
struct DriveRestore: Sendable {
    private let selection: RestoreSelection
    private let request: RestoreRequest
    private let catalog: any CatalogStore
    private let graph: any GraphAPI
    private let uploader: ContentUploader
    private let limits: RestoreLimits
    private let journal: RestoreJournal
    /// How the drive is named in events and errors (`Alex Wilber's OneDrive`, `Finance/Documents`).
    private let driveLabel: String
    /// Stamped into the names of kept copies.
    private let restoreTime: Date
    private let logger: Logger

    /// Opens what the selection needs: its restore point's repository and the drive's catalog record.
    /// - Throws: `EngineError.invalidRestoreRequest` when the restore point does not exist.
    static func prepare(
        _ selection: RestoreSelection, request: RestoreRequest, catalog: any CatalogStore, repositories: RepositoryRegistry,
        graph: any GraphAPI, limits: RestoreLimits, journal: RestoreJournal, logger: Logger
    ) async throws -> DriveRestore {
        let source = try await SelectionSource.open(selection, catalog: catalog, repositories: repositories)
        var logger = logger
        logger[metadataKey: "lifeboat.drive.id"] = "\(selection.driveID)"
        return DriveRestore(
            selection: selection, request: request, catalog: catalog, graph: graph,
            uploader: ContentUploader(graph: graph, repository: source.repository, limits: limits), limits: limits,
            journal: journal, driveLabel: source.driveLabel, restoreTime: Date(), logger: logger)
    }

    private var sequence: Int64 { selection.restorePointSequence }

    /// Restores every selected item; each item's outcome goes to the journal. Throws only for failures of the whole
    /// selection (the catalog, the repository or the drive itself unavailable), which the runner records.
    func run() async throws {
        guard let backupRoot = try await catalog.rootItem(jobID: selection.jobID, driveID: selection.driveID, at: sequence)
        else {
            throw EngineError.invalidRestoreRequest(
                "restore point \(sequence) of job \(selection.jobID) does not hold drive \(selection.driveID)")
        }
        let targets = try await resolveTargets()
        var paths = BackupPaths(catalog: catalog, selection: selection, rootID: backupRoot.itemID)
        let liveRoot: GraphDriveItem
        do {
            liveRoot = try await graph.item(driveID: selection.driveID, itemID: "root")
        } catch let error as GraphError where error.isNotFound {
            let reason = "The destination drive no longer exists in the tenant."
            let status: RestoreOutcome.Status = request.skipUnresolved
                ? .skipped(reason: reason + " Skipped (skipUnresolved).") : .failed(message: reason)
            for target in targets {
                guard let item = target.item else { continue }
                try await recordSubtree(item, path: item.isRoot ? [] : try await paths.components(of: item), status)
            }
            return
        }
        let tree = LiveFolderTree(graph: graph, driveID: selection.driveID, rootID: liveRoot.id)
        for target in targets {
            let started = Date()
            guard let item = target.item else {
                let failure = RestoreItemFailure.notInBackup(itemID: target.itemID)
                try await journal.record(outcome(for: nil, path: [target.itemID], .failed(message: "\(failure)"), started: started))
                continue
            }
            if item.isRoot {
                try await restoreContents(of: item, path: [], liveFolderID: liveRoot.id, tree: tree)
                continue
            }
            let path = try await paths.components(of: item)
            if item.isFolder {
                try await restoreFolder(item, path: path, tree: tree)
                continue
            }
            let parentPath = Array(path.dropLast())
            let live: (folderID: String, children: [GraphDriveItem])
            do {
                let folderID = try await tree.folderID(at: parentPath)
                live = (folderID, try await graph.children(driveID: selection.driveID, itemID: folderID))
            } catch let failure where !(failure is CancellationError) {
                try await journal.record(outcome(for: item, path: path, .failed(message: "\(failure)"), started: started))
                continue
            }
            try await restoreFiles([item], parentPath: parentPath, liveFolderID: live.folderID, liveChildren: live.children)
        }
    }

    // MARK: Targets

    private struct Target {
        var itemID: String
        var item: ItemVersion?
    }

    private func resolveTargets() async throws -> [Target] {
        guard let itemIDs = selection.itemIDs else {
            let root = try await catalog.rootItem(jobID: selection.jobID, driveID: selection.driveID, at: sequence)
            return [Target(itemID: root?.itemID ?? "root", item: root)]
        }
        var targets: [Target] = []
        for itemID in itemIDs {
            let item = try await catalog.item(jobID: selection.jobID, driveID: selection.driveID, itemID: itemID, at: sequence)
            targets.append(Target(itemID: itemID, item: item))
        }
        return targets
    }

    /// Records one outcome for an item and, for a folder, for everything below it at the point in time (the root
    /// folder itself is not an item), so counts say how many items a failure or a skip concerned.
    private func recordSubtree(_ item: ItemVersion, path: [String], _ status: RestoreOutcome.Status) async throws {
        if !item.isRoot { try await journal.record(outcome(for: item, path: path, status, started: Date())) }
        guard item.isFolder else { return }
        let children = try await catalog.children(
            jobID: selection.jobID, driveID: selection.driveID, parentID: item.itemID, at: sequence, options: PointInTimeOptions())
        for child in children { try await recordSubtree(child, path: path + [child.name], status) }
    }

    // MARK: Folders

    private func restoreFolder(_ folder: ItemVersion, path: [String], tree: LiveFolderTree) async throws {
        let started = Date()
        let liveID: String
        do {
            liveID = try await tree.folderID(at: path)
        } catch let failure where !(failure is CancellationError) {
            try await recordSubtree(folder, path: path, .failed(message: "\(failure)"))
            return
        }
        try await journal.record(outcome(for: folder, path: path, .restored, started: started, target: path))
        try await restoreContents(of: folder, path: path, liveFolderID: liveID, tree: tree)
    }

    private func restoreContents(of folder: ItemVersion, path: [String], liveFolderID: String, tree: LiveFolderTree) async throws {
        let children = try await catalog.children(
            jobID: selection.jobID, driveID: selection.driveID, parentID: folder.itemID, at: sequence,
            options: PointInTimeOptions())
        let files = children.filter { !$0.isFolder }
        if !files.isEmpty {
            do {
                let live = try await graph.children(driveID: selection.driveID, itemID: liveFolderID)
                try await restoreFiles(files, parentPath: path, liveFolderID: liveFolderID, liveChildren: live)
            } catch let failure as GraphError {
                // Only the listing can throw a Graph error here; the files' own failures are recorded one by one.
                for file in files {
                    try await journal.record(outcome(for: file, path: path + [file.name], .failed(message: "\(failure)"), started: Date()))
                }
            }
        }
        for subfolder in children where subfolder.isFolder {
            try await restoreFolder(subfolder, path: path + [subfolder.name], tree: tree)
        }
    }

    // MARK: Files

    /// Restores files of one backed-up folder into one live folder, a bounded number at a time. Each file's failure is
    /// its outcome; what this throws (a journal write failing, cancellation) concerns the whole job.
    private func restoreFiles(
        _ files: [ItemVersion], parentPath: [String], liveFolderID: String, liveChildren: [GraphDriveItem]
    ) async throws {
        let liveByName = Dictionary(liveChildren.map { (($0.name ?? "").lowercased(), $0) }, uniquingKeysWith: { first, _ in first })
        let takenNames = Set(liveByName.keys)
        try await runConcurrently(files, atMost: limits.uploadConcurrency) { file in
            await self.restoreFile(
                file, parentPath: parentPath, liveFolderID: liveFolderID, existing: liveByName[file.name.lowercased()],
                takenNames: takenNames)
        } onResult: { try await journal.record($0) }
    }

    private func restoreFile(
        _ file: ItemVersion, parentPath: [String], liveFolderID: String, existing: GraphDriveItem?, takenNames: Set<String>
    ) async -> RestoreOutcome {
        let started = Date()
        let path = parentPath + [file.name]
        do {
            if let existing, existing.isFolder { throw RestoreItemFailure.nameTakenByFolder(name: file.name) }
            let versions = try await versionsToRestore(of: file)
            // A live file that already holds the backed-up content needs neither a new version nor a kept copy.
            if let existing, request.documentVersion == .last, existing.size == file.size,
                let liveHash = existing.file?.hashes?.quickXorHash, liveHash == file.quickXorHash
            {
                return outcome(
                    for: file, path: path, .skipped(reason: "Unchanged: the item in the tenant already has the backed-up content."),
                    started: started, target: path)
            }
            let keep = request.documentAction == .keep
            // Keep never replaces: the first upload fails on any clash (even with a file created since the folder was
            // listed) and then goes to a kept name.
            var name = keep && existing != nil ? Self.keptName(for: file.name, restoredAt: restoreTime, avoiding: takenNames) : file.name
            var uploaded: Int64 = 0
            for (index, version) in versions.enumerated() {
                guard let serialized = version.content else { throw RestoreItemFailure.noContent(name: file.name) }
                let manifest = try ContentManifest(serialized: serialized)
                let item: GraphDriveItem
                if index > 0 {
                    item = try await uploader.upload(
                        manifest, driveID: selection.driveID, parentID: liveFolderID, name: name, conflict: .replace)
                } else if !keep {
                    item = try await uploader.upload(
                        manifest, driveID: selection.driveID, parentID: liveFolderID, name: name, conflict: .replace)
                } else {
                    do {
                        item = try await uploader.upload(
                            manifest, driveID: selection.driveID, parentID: liveFolderID, name: name, conflict: .fail)
                    } catch GraphError.service(409, _, _, _) where name == file.name {
                        name = Self.keptName(for: file.name, restoredAt: restoreTime, avoiding: takenNames.union([name.lowercased()]))
                        item = try await uploader.upload(
                            manifest, driveID: selection.driveID, parentID: liveFolderID, name: name, conflict: .fail)
                    }
                }
                if let expected = version.quickXorHash, let reported = item.file?.hashes?.quickXorHash, expected != reported {
                    throw RestoreItemFailure.verificationFailed(name: name, expected: expected, uploaded: reported)
                }
                uploaded += manifest.size
            }
            var result = outcome(for: file, path: path, .restored, started: started, target: parentPath + [name])
            result.bytesUploaded = uploaded
            return result
        } catch {
            logger.debug("Item restore failed", metadata: ["lifeboat.item": "\(path.joined(separator: "/"))", "lifeboat.error": "\(error)"])
            return outcome(for: file, path: path, .failed(message: "\(error)"), started: started)
        }
    }

    /// `last`: the state at the point in time. `all`: every stored state up to it, oldest first, dropping states that
    /// only renamed or moved the file (same content as the one before).
    private func versionsToRestore(of file: ItemVersion) async throws -> [ItemVersion] {
        guard request.documentVersion == .all else { return [file] }
        let history = try await catalog.history(
            jobID: selection.jobID, driveID: selection.driveID, itemID: file.itemID, upTo: sequence)
        var versions: [ItemVersion] = []
        for state in history where !state.isFolder && state.content != nil {
            if let previous = versions.last, previous.quickXorHash == state.quickXorHash, previous.size == state.size { continue }
            versions.append(state)
        }
        if versions.last?.quickXorHash != file.quickXorHash || versions.isEmpty { versions.append(file) }
        return versions
    }

    /// The name of a copy restored beside an existing item: `Budget (restored 2026-02-27 03-54-22).xlsx`, with a counter
    /// when even that is taken.
    static func keptName(for name: String, restoredAt date: Date, avoiding taken: Set<String>) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        func two(_ value: Int?) -> String { String(format: "%02d", value ?? 0) }
        let stamp = "\(parts.year ?? 0)-\(two(parts.month))-\(two(parts.day)) \(two(parts.hour))-\(two(parts.minute))-\(two(parts.second))"
        let (base, suffix) = Self.splitExtension(name)
        var candidate = "\(base) (restored \(stamp))\(suffix)"
        var counter = 2
        while taken.contains(candidate.lowercased()) {
            candidate = "\(base) (restored \(stamp) \(counter))\(suffix)"
            counter += 1
        }
        return candidate
    }

    private static func splitExtension(_ name: String) -> (String, String) {
        guard let dot = name.lastIndex(of: "."), dot != name.startIndex else { return (name, "") }
        return (String(name[..<dot]), String(name[dot...]))
    }

    // MARK: Outcomes

    private func outcome(
        for item: ItemVersion?, path: [String], _ status: RestoreOutcome.Status, started: Date, target: [String]? = nil
    ) -> RestoreOutcome {
        RestoreOutcome(
            status: status, sourcePath: ([driveLabel] + path).joined(separator: "/"),
            targetPath: target.map { ([driveLabel] + $0).joined(separator: "/") }, name: item?.name ?? path.last ?? "",
            isFolder: item?.isFolder ?? false, size: item?.size ?? 0, startTime: started, endTime: Date())
    }
}

/// Paths of backed-up items below their drive root at a restore point, from the catalog's parent links (cached per folder).
struct BackupPaths {
    let catalog: any CatalogStore
    let selection: RestoreSelection
    let rootID: String
    private var folderPaths: [String: [String]] = [:]

    init(catalog: any CatalogStore, selection: RestoreSelection, rootID: String) {
        self.catalog = catalog
        self.selection = selection
        self.rootID = rootID
        folderPaths[rootID] = []
    }

    /// The item's path components below the root (its own name last).
    mutating func components(of item: ItemVersion) async throws -> [String] {
        guard let parentID = item.parentID else { return [] }
        return try await folderPath(parentID) + [item.name]
    }

    private mutating func folderPath(_ folderID: String) async throws -> [String] {
        if let known = folderPaths[folderID] { return known }
        guard let folder = try await catalog.item(
            jobID: selection.jobID, driveID: selection.driveID, itemID: folderID, at: selection.restorePointSequence)
        else { throw RestoreItemFailure.notInBackup(itemID: folderID) }
        let path = try await components(of: folder)
        folderPaths[folderID] = path
        return path
    }
}
