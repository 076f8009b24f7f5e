import BoundedConcurrency
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
///
/// What Graph does to a drive while it is read:
/// - a stale delta link (410 `resyncRequired`) restarts the enumeration from the answer's `Location` (or from scratch);
///   the enumeration then reconciles with the catalog: unchanged files are not downloaded again, items it never lists
///   are closed as deleted; a third expiry in one run (after the `Location` and after a restart from scratch) fails
///   the drive;
/// - an item listed twice in one enumeration (the last occurrence wins) is recorded and counted once;
/// - a file deleted between its listing and its download (404 or 410) is skipped and counted in `itemsSkipped`
///   (and in `itemsDeleted` when an earlier restore point held it), never a failure; the drive's delta link is then
///   not stored, so a 404 that was transient cannot hide the item until it next changes;
/// - a file whose downloaded bytes do not match the hash or size its listing gave is read again from Graph: when the
///   item changed meanwhile, its new metadata is used and the file is downloaded again, so a row never pairs bytes with
///   a hash they do not have; when it did not change, the download was corrupt and the file fails;
/// - any other item failure (403 `accessDenied`, 423 `resourceLocked`, a download still broken after the client's
///   retries) is recorded in the run's errors with Graph's status and code, and counted in `itemsFailed`; the drive's
///   delta link is then not stored, so the next run sees the item again. A later occurrence of the item in the same
///   enumeration that backs it up replaces the failure.
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
        do {
            let outcome = try await enumerate()
            try await catalog.clearEnumerationLedger(sequence: sequence, driveID: drive.driveID)
            return outcome
        } catch {
            // Also cleared with the run's restore point if it is discarded.
            try? await catalog.clearEnumerationLedger(sequence: sequence, driveID: drive.driveID)
            throw error
        }
    }

    private func enumerate() async throws -> DriveBackupOutcome {
        var outcome = DriveBackupOutcome()
        var link = storedDeltaLink
        // What the enumeration met is kept in the catalog's ledger, not in memory (see `CatalogStore`): a new pass
        // starts with every resync, and a full pass (from scratch, or re-enumerating after a 410) must reconcile
        // deletions: current items it never met are gone.
        var pass = 0
        var isFullPass = link == nil
        var finalLink: String?
        var unsettled = UnsettledItems()
        var resyncs = ResyncBudget()

        pages: while true {
            let page: DeltaPage
            do {
                page = try await graph.delta(driveID: drive.driveID, link: link)
            } catch GraphError.resyncRequired(let location) {
                guard let restart = resyncs.next(location: location) else {
                    throw DriveBackupError.resyncLoop(driveID: drive.driveID)
                }
                logger.info(
                    "Delta link expired; enumerating the drive again",
                    metadata: ["lifeboat.drive": "\(drive.driveID)", "lifeboat.delta.location": "\(restart ?? "-")"])
                link = restart
                pass += 1
                isFullPass = true
                continue pages
            }
            try await process(page.items, pass: pass, into: &outcome, unsettled: &unsettled)
            outcome.counters.itemsScanned += page.items.count
            await onPage(outcome.counters)
            if let next = page.nextLink {
                link = next
            } else {
                finalLink = page.deltaLink
                break pages
            }
        }

        if isFullPass {
            var after: String?
            while true {
                let vanished = try await catalog.currentItemIDs(
                    notMetInPass: pass, sequence: sequence, jobID: jobID, driveID: drive.driveID, after: after, limit: Self.reconciliationBatch)
                guard let last = vanished.last else { break }
                try await catalog.recordItemVersions([], closing: vanished, jobID: jobID, driveID: drive.driveID, sequence: sequence)
                outcome.counters.itemsDeleted += vanished.count
                after = last
            }
        }
        outcome.counters.drivesProcessed = 1
        outcome.errors += unsettled.failures.map(\.error)
        outcome.deltaLink = unsettled.isEmpty ? finalLink : nil
        return outcome
    }

    /// How a drive recovers from expired delta links (410 `resyncRequired`): it follows Graph's `Location` once, then
    /// enumerates from scratch once; a third expiry in the same run fails the drive, so a link that always answers 410
    /// cannot loop forever.
    struct ResyncBudget: Sendable {
        private var followedLocation = false
        private var restartedFromScratch = false

        /// After one more expiry: `.some(link)` to enumerate from, where `.some(nil)` is from scratch; `nil` when the
        /// budget is spent.
        mutating func next(location: String?) -> String?? {
            if !followedLocation, !restartedFromScratch, let location {
                followedLocation = true
                return .some(location)
            }
            guard !restartedFromScratch else { return nil }
            restartedFromScratch = true
            return .some(nil)
        }
    }

    /// Items of this run that failed or vanished at download and were not backed up by a later occurrence in the same
    /// enumeration; while any is left, the drive's new delta link is not stored, so the next run lists them again.
    struct UnsettledItems: Sendable {
        /// Failed items in the order they first failed, with their latest error.
        private(set) var failures: [(itemID: String, error: RunError)] = []
        /// Items that answered 404 or 410 at download, counted in `itemsSkipped`.
        private(set) var vanished: Set<String> = []

        var isEmpty: Bool { failures.isEmpty && vanished.isEmpty }

        /// Records a failure; false when the item had already failed (it is counted once).
        mutating func failed(_ itemID: String, _ error: RunError) -> Bool {
            if let index = failures.firstIndex(where: { $0.itemID == itemID }) {
                failures[index].error = error
                return false
            }
            failures.append((itemID, error))
            return true
        }

        /// Records a vanished item; false when it had already vanished.
        mutating func vanished(_ itemID: String) -> Bool {
            vanished.insert(itemID).inserted
        }

        /// A later occurrence of the item is being processed: forgets what the earlier one failed at, and its count.
        mutating func settled(_ itemID: String, _ counters: inout RunCounters) {
            if let index = failures.firstIndex(where: { $0.itemID == itemID }) {
                failures.remove(at: index)
                counters.itemsFailed -= 1
            }
            if vanished.remove(itemID) != nil {
                counters.itemsSkipped -= 1
            }
        }
    }

    /// Current items a full pass never met are closed this many at a time.
    static let reconciliationBatch = 1_000

    /// Compares a page with the catalog, downloads what changed, and records the page's new rows in one transaction;
    /// then records in the enumeration ledger that `pass` met the page's items, and how each was counted.
    private func process(
        _ pageItems: [GraphDriveItem], pass: Int, into outcome: inout DriveBackupOutcome, unsettled: inout UnsettledItems
    ) async throws {
        var latest: [String: GraphDriveItem] = [:]
        var order: [String] = []
        for item in pageItems {
            if latest.updateValue(item, forKey: item.id) == nil { order.append(item.id) }
        }
        let current = try await catalog.currentItems(jobID: jobID, driveID: drive.driveID, itemIDs: order)
        // How earlier pages counted the items listed again here.
        var tallies = try await catalog.enumerationTallies(sequence: sequence, driveID: drive.driveID, itemIDs: order)
            .compactMapValues(Tally.init(rawValue:))

        var rows: [ItemVersion] = []
        var closing: [String] = []
        var downloads: [(item: GraphDriveItem, previous: ItemVersion?)] = []

        for id in order {
            guard let item = latest[id] else { continue }
            // This occurrence replaces what an earlier one in the enumeration failed at; failing again counts again.
            unsettled.settled(id, &outcome.counters)
            let previous = current[id]
            if item.isDeleted {
                if previous != nil {
                    closing.append(id)
                    Self.tally(.deleted, id, &outcome.counters, &tallies)
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
                    Self.tally(.renamedOrMoved, id, &outcome.counters, &tallies)
                } else {
                    Self.tally(.folderAdded, id, &outcome.counters, &tallies)
                }
                continue
            }
            guard let previous else {
                downloads.append((item, nil))
                continue
            }
            if contentChanged(previous, item) {
                downloads.append((item, previous))
            } else if let moved = movedRow(item, previous: previous) {
                rows.append(moved)
                closing.append(id)
                Self.tally(.renamedOrMoved, id, &outcome.counters, &tallies)
            } else {
                Self.tally(.unchanged, id, &outcome.counters, &tallies)
            }
        }

        // The files' histories are asked together (JSON batches) rather than one round trip each.
        let histories = downloads.isEmpty ? [:] : await graph.versions(driveID: drive.driveID, itemIDs: downloads.map(\.item.id))
        for result in await downloadAll(downloads, histories: histories) {
            switch result {
            case .stored(let fileRows, let previous, let downloaded, let newBytes):
                let itemID = fileRows.last!.itemID
                rows += fileRows
                if previous != nil {
                    closing.append(itemID)
                    Self.tally(.changed, itemID, &outcome.counters, &tallies)
                } else {
                    Self.tally(.added, itemID, &outcome.counters, &tallies)
                }
                outcome.counters.versionsStored += fileRows.count - 1
                outcome.counters.bytesDownloaded += downloaded
                outcome.counters.bytesStored += newBytes
            case .unchangedAfterAll(let item, let previous, let downloaded):
                outcome.counters.bytesDownloaded += downloaded
                if let moved = movedRow(item, previous: previous) {
                    rows.append(moved)
                    closing.append(item.id)
                    Self.tally(.renamedOrMoved, item.id, &outcome.counters, &tallies)
                } else {
                    Self.tally(.unchanged, item.id, &outcome.counters, &tallies)
                }
            case .vanished(let itemID, let previous):
                if unsettled.vanished(itemID) { outcome.counters.itemsSkipped += 1 }
                if previous != nil {
                    closing.append(itemID)
                    Self.tally(.deleted, itemID, &outcome.counters, &tallies)
                }
            case .failed(let itemID, let error):
                if unsettled.failed(itemID, error) { outcome.counters.itemsFailed += 1 }
            }
        }
        if !rows.isEmpty || !closing.isEmpty {
            try await catalog.recordItemVersions(
                rows, closing: closing, jobID: jobID, driveID: drive.driveID, sequence: sequence)
        }
        let met = Dictionary(uniqueKeysWithValues: order.map { ($0, tallies[$0]?.rawValue) })
        try await catalog.recordEnumerationEntries(met, pass: pass, sequence: sequence, driveID: drive.driveID)
    }

    /// The row of a file whose name or parent changed but not its content; nil when neither changed.
    private func movedRow(_ item: GraphDriveItem, previous: ItemVersion) -> ItemVersion? {
        guard previous.name != item.name || previous.parentID != item.parentReference?.id else { return nil }
        var moved = fileRow(item, content: previous.content, quickXorHash: previous.quickXorHash)
        moved.graphVersionID = previous.graphVersionID
        return moved
    }

    /// How this run counted an item, so that a later occurrence of it in the same enumeration replaces that count.
    enum Tally: String, Sendable {
        case added, changed, unchanged, renamedOrMoved, deleted, folderAdded
        /// Counted nowhere: an item added and deleted within one enumeration never existed for the restore point.
        case nothing

        var counter: WritableKeyPath<RunCounters, Int>? {
            switch self {
            case .added: \.filesAdded
            case .changed: \.filesChanged
            case .unchanged: \.filesUnchanged
            case .renamedOrMoved: \.itemsRenamedOrMoved
            case .deleted: \.itemsDeleted
            case .folderAdded: \.foldersProcessed
            case .nothing: nil
            }
        }
    }

    /// Counts what happened to `id`. A second occurrence in the same enumeration was compared with the row the first
    /// one recorded, so the counts merge: an item new to the restore point stays added (or was never there, when its
    /// last occurrence deletes it), and an unchanged repeat keeps the first count.
    static func tally(_ tally: Tally, _ id: String, _ counters: inout RunCounters, _ tallies: inout [String: Tally]) {
        var final = tally
        if let first = tallies[id] {
            if let key = first.counter { counters[keyPath: key] -= 1 }
            switch (first, tally) {
            case (.added, .deleted), (.folderAdded, .deleted), (.nothing, .deleted): final = .nothing
            case (.added, _), (.folderAdded, _): final = first
            case (_, .unchanged): final = first
            case (.changed, .renamedOrMoved): final = first
            case (.deleted, _): final = tally == .added ? .unchanged : tally
            default: break
            }
        }
        if let key = final.counter { counters[keyPath: key] += 1 }
        tallies[id] = final
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
        /// The listing was stale: read again, the item's content is the one already recorded (`item` is its fresh state).
        case unchangedAfterAll(item: GraphDriveItem, previous: ItemVersion, bytesDownloaded: Int64)
        case failed(itemID: String, RunError)
    }

    /// Downloads files with bounded parallelism (at most `downloadConcurrency` tasks, of which the tenant's adaptive
    /// concurrency lets as many transfer as Graph takes); each result stands alone so one failure never stops the others.
    /// - Parameter histories: version histories already asked for, by item id; a file without one asks for its own.
    private func downloadAll(
        _ downloads: [(item: GraphDriveItem, previous: ItemVersion?)], histories: [String: [GraphItemVersion]]
    ) async -> [FileResult] {
        guard !downloads.isEmpty else { return [] }
        var results: [FileResult] = []
        await runConcurrently(downloads, atMost: downloadConcurrency) { item, previous in
            // The tenant's adaptive concurrency decides how many of these transfer at once.
            do {
                return try await self.graph.withTransferSlot {
                    await self.backUpFile(item, previous: previous, history: histories[item.id])
                }
            } catch {
                return .failed(itemID: item.id, RunError(message: "\(error)", itemPath: "\(self.drive.name)/\(item.name ?? item.id)"))
            }
        } onResult: { results.append($0) }
        return results
    }

    /// Backs up one file; when its bytes do not match what its listing said, reads the item again and, if it changed
    /// meanwhile, starts over with its fresh state (up to `staleListingRetries` times), asking for its history again.
    /// A download the file changed under (its resumption met other content) starts over the same way, whatever the
    /// fresh listing says.
    private func backUpFile(_ listed: GraphDriveItem, previous: ItemVersion?, history listedHistory: [GraphItemVersion]?) async -> FileResult {
        var item = listed
        var history = listedHistory
        var wasted: Int64 = 0
        var rereads = 0
        while true {
            do {
                var result = try await storeFile(item, previous: previous, history: history)
                if case .stored(let rows, let previous, let downloaded, let newBytes) = result {
                    result = .stored(rows: rows, previous: previous, bytesDownloaded: downloaded + wasted, newBytes: newBytes)
                }
                return result
            } catch let mismatch as StaleContent {
                wasted += mismatch.bytesDownloaded
                do {
                    let fresh = try await graph.item(driveID: drive.driveID, itemID: item.id)
                    // A download that changed under its resumption read the file as it was becoming something else: read
                    // it again whatever the listing says now.
                    guard rereads < Self.staleListingRetries, mismatch.changedWhileRead || Self.contentDiffers(fresh, from: item) else {
                        return failure(mismatch.error, item: item)
                    }
                    rereads += 1
                    history = nil
                    logger.debug(
                        "File changed since its listing; backing up its new state",
                        metadata: ["lifeboat.drive": "\(drive.driveID)", "lifeboat.item": "\(item.id)"])
                    item = fresh
                    if let previous, !contentChanged(previous, fresh) {
                        return .unchangedAfterAll(item: fresh, previous: previous, bytesDownloaded: wasted)
                    }
                } catch {
                    return await classify(error, item: item, previous: previous)
                }
            } catch {
                return await classify(error, item: item, previous: previous)
            }
        }
    }

    /// Times a file is read again after its bytes contradicted its listing because it changed meanwhile.
    static let staleListingRetries = 2

    /// Whether Graph's fresh state of a file tells other content than the state it was listed with.
    private static func contentDiffers(_ fresh: GraphDriveItem, from listed: GraphDriveItem) -> Bool {
        fresh.cTag != listed.cTag || fresh.size != listed.size
            || fresh.file?.hashes?.quickXorHash != listed.file?.hashes?.quickXorHash
    }

    /// Bytes that contradict the item's listing (hash or size), or a download the file changed under, with what was
    /// downloaded for nothing.
    private struct StaleContent: Error {
        var error: BackupItemError
        var bytesDownloaded: Int64
        var changedWhileRead = false
    }

    /// What an item failure means: gone (404 or 410 on an item Graph no longer knows) or failed with Graph's code.
    private func classify(_ error: any Error, item: GraphDriveItem, previous: ItemVersion?) async -> FileResult {
        if let graphError = error as? GraphError, Self.meansGone(graphError), await isGone(item) {
            logger.debug(
                "Item deleted during the run", metadata: ["lifeboat.drive": "\(drive.driveID)", "lifeboat.item": "\(item.id)"])
            return .vanished(itemID: item.id, previous: previous)
        }
        return failure(error, item: item)
    }

    private func failure(_ error: any Error, item: GraphDriveItem) -> FileResult {
        logger.warning(
            "Item failed; it will be retried by the next run",
            metadata: ["lifeboat.drive": "\(drive.driveID)", "lifeboat.item": "\(item.id)", "lifeboat.error": "\(error)"])
        return .failed(itemID: item.id, RunError(message: "\(error)", itemPath: "\(drive.name)/\(item.name ?? item.id)"))
    }

    /// 404 `itemNotFound` or 410 `Gone` about an item.
    private static func meansGone(_ error: GraphError) -> Bool {
        switch error {
        case .service(let status, _, _, _): status == 404 || status == 410
        case .resyncRequired: true
        default: false
        }
    }

    /// - Parameter history: the file's versions, newest first, when they were asked for already.
    private func storeFile(_ item: GraphDriveItem, previous: ItemVersion?, history: [GraphItemVersion]?) async throws -> FileResult {
        let versions: [GraphItemVersion]
        if let history {
            versions = history
        } else {
            versions = try await graph.versions(driveID: drive.driveID, itemID: item.id)
        }
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

        let content = try await graph.currentContent(driveID: drive.driveID, listed: item)
        let hashing = HashingContent(content)
        let stored: StoredContent
        do {
            stored = try await repository.store(hashing)
        } catch GraphError.contentChanged(let detail) {
            throw StaleContent(
                error: .changedDuringDownload(detail), bytesDownloaded: downloaded + hashing.digest.length, changedWhileRead: true)
        }
        downloaded += hashing.digest.length
        newBytes += stored.newBytes
        let computed = hashing.digest.quickXorHash
        if let expected = item.file?.hashes?.quickXorHash, expected != computed {
            throw StaleContent(error: .hashMismatch(expected: expected, computed: computed), bytesDownloaded: downloaded)
        }
        if let size = item.size, size != hashing.digest.length {
            throw StaleContent(error: .sizeMismatch(expected: size, received: hashing.digest.length), bytesDownloaded: downloaded)
        }
        var row = fileRow(item, content: stored.manifest.serialized(), quickXorHash: computed)
        row.graphVersionID = versions.first?.id
        rows.append(row)
        return .stored(rows: rows, previous: previous, bytesDownloaded: downloaded, newBytes: newBytes)
    }

    /// Whether Graph no longer knows the item at all; a 404 on one version's content alone (trimmed history, say)
    /// leaves the item in place and stays a failure.
    private func isGone(_ item: GraphDriveItem) async -> Bool {
        do {
            _ = try await graph.item(driveID: drive.driveID, itemID: item.id)
            return false
        } catch let error as GraphError {
            return Self.meansGone(error)
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

/// Why one drive could not be backed up; the run goes on with its other drives.
enum DriveBackupError: Error, CustomStringConvertible {
    /// Delta answered 410 `resyncRequired` again after following its `Location` and after enumerating from scratch.
    case resyncLoop(driveID: String)

    var description: String {
        switch self {
        case .resyncLoop(let driveID):
            return "Microsoft Graph kept answering that the delta link of drive \(driveID) expired (410 resyncRequired), "
                + "even when enumerating it from scratch"
        }
    }
}

/// Why one file could not be backed up.
enum BackupItemError: Error, CustomStringConvertible {
    case hashMismatch(expected: String, computed: String)
    case sizeMismatch(expected: Int64, received: Int64)
    case versionSizeMismatch(versionID: String, expected: Int64, received: Int64)
    case changedDuringDownload(String)

    var description: String {
        switch self {
        case .hashMismatch(let expected, let computed):
            return "Downloaded content does not match its quickXorHash (Graph reported \(expected), computed \(computed))"
        case .sizeMismatch(let expected, let received):
            return "Downloaded \(received) bytes but Graph reported \(expected)"
        case .versionSizeMismatch(let versionID, let expected, let received):
            return "Downloaded \(received) bytes of version \(versionID) but Graph reported \(expected)"
        case .changedDuringDownload(let detail):
            return "The file changed while it was downloaded and kept changing: \(detail)"
        }
    }
}
