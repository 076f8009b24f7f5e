import Catalog
import ChunkStore
import Foundation
import LifeboatModel

/// The zip entries of an export, produced lazily: the selections' items are walked folder by folder at their restore
/// points, so memory holds the folders on the current path and their children, never the whole selection.
///
/// Each file is the version valid at the point in time, under `<drive label>/<path below the root>`; empty folders
/// become directory entries. Every entry handed out is recorded in the journal as exported.
///
/// A selection is walked under a shared lock on its repository, so no prune deletes packs an entry's content is still
/// to be read from; the lock is released when the walk moves on (the previous entry's content has been consumed by
/// then), at the end, or when the iterator is dropped.
struct ExportEntries: AsyncSequence, Sendable {
    typealias Element = ZipEntry
    typealias Failure = any Error

    let selections: [RestoreSelection]
    let catalog: any CatalogStore
    let repositories: RepositoryRegistry
    let journal: RestoreJournal

    func makeAsyncIterator() -> Iterator {
        Iterator(pendingSelections: selections[...], catalog: catalog, repositories: repositories, journal: journal)
    }

    struct Iterator: AsyncIteratorProtocol {
        /// A backed-up item waiting to become an entry (or, for a folder, to have its children listed).
        private struct Pending {
            var item: ItemVersion
            var path: [String]
        }

        /// The selection being walked.
        private struct Walk {
            var selection: RestoreSelection
            var repository: Repository
            var lock: HeldRepositoryLock
            var label: String
            var stack: [Pending]
        }

        private var pendingSelections: ArraySlice<RestoreSelection>
        private let catalog: any CatalogStore
        private let repositories: RepositoryRegistry
        private let journal: RestoreJournal
        private var walk: Walk?

        fileprivate init(
            pendingSelections: ArraySlice<RestoreSelection>, catalog: any CatalogStore, repositories: RepositoryRegistry,
            journal: RestoreJournal
        ) {
            self.pendingSelections = pendingSelections
            self.catalog = catalog
            self.repositories = repositories
            self.journal = journal
        }

        mutating func next() async throws -> ZipEntry? {
            do {
                return try await nextEntry()
            } catch {
                // The archive ends with this error: its lock goes now, not whenever the consumer drops the archive.
                await walk?.lock.release()
                walk = nil
                throw error
            }
        }

        private mutating func nextEntry() async throws -> ZipEntry? {
            while true {
                if walk == nil {
                    guard let selection = pendingSelections.popFirst() else { return nil }
                    walk = try await start(selection)
                }
                guard var current = walk, let next = current.stack.popLast() else {
                    await walk?.lock.release()
                    walk = nil
                    continue
                }
                let entryPath = ([current.label] + next.path).joined(separator: "/")
                if next.item.isFolder {
                    let children = try await catalog.children(
                        jobID: current.selection.jobID, driveID: current.selection.driveID, parentID: next.item.itemID,
                        at: current.selection.restorePointSequence, options: PointInTimeOptions())
                    // Reversed, so popping the stack yields children in name order.
                    current.stack += children.reversed().map { Pending(item: $0, path: next.path + [$0.name]) }
                    walk = current
                    if children.isEmpty, !next.path.isEmpty {
                        try await journal.record(exported: next.item, path: entryPath)
                        return .directory(entryPath, modified: next.item.modifiedAt ?? Date())
                    }
                    continue
                }
                walk = current
                guard let serialized = next.item.content else {
                    throw RestoreItemFailure.noContent(name: entryPath)
                }
                let manifest = try ContentManifest(serialized: serialized)
                try await journal.record(exported: next.item, path: entryPath)
                return .file(entryPath, modified: next.item.modifiedAt ?? Date(), content: current.repository.read(manifest))
            }
        }

        private func start(_ selection: RestoreSelection) async throws -> Walk {
            let (source, lock) = try await SelectionSource.openHoldingLock(
                selection, catalog: catalog, repositories: repositories, purpose: "export of restore point \(selection.restorePointSequence)")
            do {
                return try await makeWalk(selection, source: source, lock: lock)
            } catch {
                await lock.release()
                throw error
            }
        }

        private func makeWalk(_ selection: RestoreSelection, source: SelectionSource, lock: HeldRepositoryLock) async throws -> Walk {
            let point = source.point
            guard let root = try await catalog.rootItem(jobID: selection.jobID, driveID: selection.driveID, at: point.sequence)
            else {
                throw EngineError.invalidRestoreRequest(
                    "restore point \(point.sequence) of job \(selection.jobID) does not hold drive \(selection.driveID)")
            }
            guard let itemIDs = selection.itemIDs else {
                return Walk(
                    selection: selection, repository: source.repository, lock: lock, label: source.driveLabel,
                    stack: [Pending(item: root, path: [])])
            }
            var paths = BackupPaths(catalog: catalog, selection: selection, rootID: root.itemID)
            var stack: [Pending] = []
            for itemID in itemIDs.reversed() {
                guard let item = try await catalog.item(
                    jobID: selection.jobID, driveID: selection.driveID, itemID: itemID, at: point.sequence)
                else { throw RestoreItemFailure.notInBackup(itemID: itemID) }
                stack.append(Pending(item: item, path: item.isRoot ? [] : try await paths.components(of: item)))
            }
            return Walk(selection: selection, repository: source.repository, lock: lock, label: source.driveLabel, stack: stack)
        }
    }
}
