import Catalog
import ChunkStore
import Foundation
import LifeboatModel
import Logging
import M365Graph

/// What backing up one drive produced.
struct DriveBackupOutcome: Sendable {
    var counters = RunCounters()
    var errors: [RunError] = []
    /// The delta link to store with the restore point; `nil` when an item failed, so the next run sees those changes again.
    var deltaLink: String?
}

/// Backs up one drive for one run: follows delta from the stored link, downloads only changed content,
/// and writes item versions under the run's (uncommitted) restore point sequence.
///
/// Compares only with the job's own rows: another job protecting the same drive writes to another repository,
/// so its content cannot stand in for this job's.
struct DriveBackup {
    let graph: any GraphAPI
    let catalog: any CatalogStore
    /// The job the run belongs to; its `repository` is the one every row written here references.
    let jobID: UUID
    let repository: Repository
    let drive: ProtectedDrive
    let storedDeltaLink: String?
    let sequence: Int64
    let downloadConcurrency: Int
    let logger: Logger
    let onPage: @Sendable (RunCounters) async -> Void

    func run() async throws -> DriveBackupOutcome {
        var outcome = DriveBackupOutcome()
        var link = storedDeltaLink
        // Present during an enumeration from scratch, which must reconcile deletions: items it never saw are gone.
        var seenInFullEnumeration: Set<String>? = link == nil ? [] : nil
        var finalLink: String?

        pages: while true {
            let page: DeltaPage
            do {
                page = try await graph.delta(driveID: drive.driveID, link: link)
            } catch GraphError.resyncRequired {
                logger.info("Delta link expired; enumerating the drive again", metadata: ["lifeboat.drive": "\(drive.driveID)"])
                link = nil
                seenInFullEnumeration = []
                continue pages
            }
            try await process(page.items, into: &outcome, seen: &seenInFullEnumeration)
            outcome.counters.itemsScanned += page.items.count
            await onPage(outcome.counters)
            if let next = page.nextLink {
                link = next
            } else {
                finalLink = page.deltaLink
                break pages
            }
        }

        if let seen = seenInFullEnumeration {
            let vanished = try await catalog.openItemIDs(jobID: jobID, driveID: drive.driveID).filter { !seen.contains($0) }
            if !vanished.isEmpty {
                try await catalog.recordItemVersions([], closing: vanished, jobID: jobID, driveID: drive.driveID, sequence: sequence)
                outcome.counters.itemsDeleted += vanished.count
            }
        }
        outcome.counters.drivesProcessed = 1
        outcome.deltaLink = outcome.counters.itemsFailed == 0 ? finalLink : nil
        return outcome
    }

    /// Compares a page with the catalog, downloads what changed, and records the page's new rows in one transaction.
    private func process(_ pageItems: [GraphDriveItem], into outcome: inout DriveBackupOutcome, seen: inout Set<String>?) async throws {
        var latest: [String: GraphDriveItem] = [:]
        var order: [String] = []
        for item in pageItems {
            if latest.updateValue(item, forKey: item.id) == nil { order.append(item.id) }
        }
        let current = try await catalog.currentItems(jobID: jobID, driveID: drive.driveID, itemIDs: order)

        var rows: [ItemVersion] = []
        var closing: [String] = []
        var downloads: [(item: GraphDriveItem, previous: ItemVersion?)] = []

        for id in order {
            guard let item = latest[id] else { continue }
            seen?.insert(id)
            let previous = current[id]
            if item.isDeleted {
                if previous != nil {
                    closing.append(id)
                    outcome.counters.itemsDeleted += 1
                }
                continue
            }
            if item.isFolder {
                // Compare as recorded: the root is stored without a name or parent, whatever Graph calls it.
                let row = folderRow(item)
                if let previous, previous.name == row.name, previous.parentID == row.parentID {
                    continue
                }
                rows.append(row)
                if previous != nil {
                    closing.append(id)
                    outcome.counters.itemsRenamedOrMoved += 1
                } else {
                    outcome.counters.foldersProcessed += 1
                }
                continue
            }
            guard let previous else {
                downloads.append((item, nil))
                continue
            }
            if contentChanged(previous, item) {
                downloads.append((item, previous))
            } else if previous.name != item.name || previous.parentID != item.parentReference?.id {
                var moved = fileRow(item, content: previous.content, quickXorHash: previous.quickXorHash)
                moved.graphVersionID = previous.graphVersionID
                rows.append(moved)
                closing.append(id)
                outcome.counters.itemsRenamedOrMoved += 1
            } else {
                outcome.counters.filesUnchanged += 1
            }
        }

        for result in await downloadAll(downloads) {
            switch result {
            case .stored(let fileRows, let previous, let downloaded, let newBytes):
                rows += fileRows
                if previous != nil {
                    closing.append(fileRows.last!.itemID)
                    outcome.counters.filesChanged += 1
                } else {
                    outcome.counters.filesAdded += 1
                }
                outcome.counters.versionsStored += fileRows.count - 1
                outcome.counters.bytesDownloaded += downloaded
                outcome.counters.bytesStored += newBytes
            case .vanished(let itemID, let previous):
                if previous != nil {
                    closing.append(itemID)
                    outcome.counters.itemsDeleted += 1
                }
            case .failed(let error):
                outcome.errors.append(error)
                outcome.counters.itemsFailed += 1
            }
        }
        if !rows.isEmpty || !closing.isEmpty {
            try await catalog.recordItemVersions(
                rows, closing: closing, jobID: jobID, driveID: drive.driveID, sequence: sequence)
        }
    }

    private func contentChanged(_ previous: ItemVersion, _ item: GraphDriveItem) -> Bool {
        if let size = item.size, size != previous.size { return true }
        if let hash = item.file?.hashes?.quickXorHash, let known = previous.quickXorHash { return hash != known }
        return item.cTag != previous.cTag
    }

    private enum FileResult: Sendable {
        /// Rows oldest first: earlier Graph versions not stored before, then the current state last.
        case stored(rows: [ItemVersion], previous: ItemVersion?, bytesDownloaded: Int64, newBytes: Int64)
        /// The item was deleted after its delta page listed it: it is gone at this restore point, which is no failure.
        case vanished(itemID: String, previous: ItemVersion?)
        case failed(RunError)
    }

    /// Downloads files with bounded parallelism; each result stands alone so one failure never stops the others.
    private func downloadAll(_ downloads: [(item: GraphDriveItem, previous: ItemVersion?)]) async -> [FileResult] {
        guard !downloads.isEmpty else { return [] }
        return await withTaskGroup(of: FileResult.self) { group in
            var results: [FileResult] = []
            var next = 0
            func startNext() {
                guard next < downloads.count else { return }
                let (item, previous) = downloads[next]
                next += 1
                group.addTask { await self.backUpFile(item, previous: previous) }
            }
            for _ in 0..<min(downloadConcurrency, downloads.count) { startNext() }
            while let result = await group.next() {
                results.append(result)
                startNext()
            }
            return results
        }
    }

    private func backUpFile(_ item: GraphDriveItem, previous: ItemVersion?) async -> FileResult {
        let path = "\(drive.name)/\(item.name ?? item.id)"
        do {
            let versions = try await graph.versions(driveID: drive.driveID, itemID: item.id)
            let alreadyStored: Set<String>
            if previous != nil {
                let history = try await catalog.history(jobID: jobID, driveID: drive.driveID, itemID: item.id, upTo: Int64.max)
                alreadyStored = Set(history.compactMap(\.graphVersionID))
            } else {
                alreadyStored = []
            }
            var rows: [ItemVersion] = []
            var downloaded: Int64 = 0
            var newBytes: Int64 = 0
            for version in versions.dropFirst().reversed() where !alreadyStored.contains(version.id) {
                let content = try await graph.content(driveID: drive.driveID, itemID: item.id, versionID: version.id)
                let hashing = HashingContent(content)
                let stored = try await repository.store(hashing)
                downloaded += hashing.digest.length
                newBytes += stored.newBytes
                if let size = version.size, size != hashing.digest.length {
                    throw BackupItemError.versionSizeMismatch(versionID: version.id, expected: size, received: hashing.digest.length)
                }
                var row = fileRow(item, content: stored.manifest.serialized(), quickXorHash: hashing.digest.quickXorHash)
                row.size = hashing.digest.length
                row.graphVersionID = version.id
                row.isHistorical = true
                row.modifiedAt = version.lastModifiedDateTime
                row.modifiedBy = version.lastModifiedBy?.user?.bestName
                row.eTag = nil
                row.cTag = nil
                rows.append(row)
            }

            let content = try await graph.content(driveID: drive.driveID, itemID: item.id, versionID: nil)
            let hashing = HashingContent(content)
            let stored = try await repository.store(hashing)
            downloaded += hashing.digest.length
            newBytes += stored.newBytes
            let computed = hashing.digest.quickXorHash
            if let expected = item.file?.hashes?.quickXorHash, expected != computed {
                throw BackupItemError.hashMismatch(expected: expected, computed: computed)
            }
            if let size = item.size, size != hashing.digest.length {
                throw BackupItemError.sizeMismatch(expected: size, received: hashing.digest.length)
            }
            var row = fileRow(item, content: stored.manifest.serialized(), quickXorHash: computed)
            row.graphVersionID = versions.first?.id
            rows.append(row)
            return .stored(rows: rows, previous: previous, bytesDownloaded: downloaded, newBytes: newBytes)
        } catch {
            if let graphError = error as? GraphError, graphError.isNotFound, await isGone(item) {
                logger.debug(
                    "Item deleted during the run", metadata: ["lifeboat.drive": "\(drive.driveID)", "lifeboat.item": "\(item.id)"])
                return .vanished(itemID: item.id, previous: previous)
            }
            logger.warning(
                "Item failed; it will be retried by the next run",
                metadata: ["lifeboat.drive": "\(drive.driveID)", "lifeboat.item": "\(item.id)", "lifeboat.error": "\(error)"])
            return .failed(RunError(message: "\(error)", itemPath: path))
        }
    }

    /// Whether Graph no longer knows the item at all; a 404 on one version's content alone (trimmed history, say)
    /// leaves the item in place and stays a failure.
    private func isGone(_ item: GraphDriveItem) async -> Bool {
        do {
            _ = try await graph.item(driveID: drive.driveID, itemID: item.id)
            return false
        } catch let error as GraphError {
            return error.isNotFound
        } catch {
            return false
        }
    }

    private func folderRow(_ item: GraphDriveItem) -> ItemVersion {
        ItemVersion(
            driveID: drive.driveID, itemID: item.id, parentID: item.isRoot ? nil : item.parentReference?.id,
            name: item.isRoot ? "" : (item.name ?? ""), isFolder: true, isRoot: item.isRoot, size: item.size ?? 0,
            eTag: item.eTag, createdAt: item.fileSystemInfo?.createdDateTime ?? item.createdDateTime,
            modifiedAt: item.fileSystemInfo?.lastModifiedDateTime ?? item.lastModifiedDateTime,
            createdBy: item.createdBy?.user?.bestName, modifiedBy: item.lastModifiedBy?.user?.bestName, validFrom: sequence)
    }

    private func fileRow(_ item: GraphDriveItem, content: [UInt8]?, quickXorHash: String?) -> ItemVersion {
        ItemVersion(
            driveID: drive.driveID, itemID: item.id, parentID: item.parentReference?.id, name: item.name ?? "",
            isFolder: false, size: item.size ?? 0, eTag: item.eTag, cTag: item.cTag, quickXorHash: quickXorHash,
            mimeType: item.file?.mimeType, createdAt: item.fileSystemInfo?.createdDateTime ?? item.createdDateTime,
            modifiedAt: item.fileSystemInfo?.lastModifiedDateTime ?? item.lastModifiedDateTime,
            createdBy: item.createdBy?.user?.bestName, modifiedBy: item.lastModifiedBy?.user?.bestName, content: content,
            validFrom: sequence)
    }
}

/// Why one file could not be backed up.
enum BackupItemError: Error, CustomStringConvertible {
    case hashMismatch(expected: String, computed: String)
    case sizeMismatch(expected: Int64, received: Int64)
    case versionSizeMismatch(versionID: String, expected: Int64, received: Int64)

    var description: String {
        switch self {
        case .hashMismatch(let expected, let computed):
            return "Downloaded content does not match its quickXorHash (Graph reported \(expected), computed \(computed))"
        case .sizeMismatch(let expected, let received):
            return "Downloaded \(received) bytes but Graph reported \(expected)"
        case .versionSizeMismatch(let versionID, let expected, let received):
            return "Downloaded \(received) bytes of version \(versionID) but Graph reported \(expected)"
        }
    }
}
