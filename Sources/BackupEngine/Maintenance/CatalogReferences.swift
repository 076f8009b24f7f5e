import Catalog
import ChunkStore
import Foundation
import LifeboatModel

/// What the catalog says a repository must keep: the chunks of every content manifest its rows hold.
///
/// Walks `CatalogStore.contentRows` in pages: every job writing to the repository, committed rows or not,
/// current or historical. Memory grows with the number of distinct chunks (about 50 bytes each), not with rows.
public enum CatalogReferences {
    /// Rows read per catalog query.
    static let pageSize = 1000

    /// Every chunk a catalog row of `repositoryID` references.
    ///
    /// Throws `EngineError.unreadableContentManifest` when a row's manifest cannot be parsed: its chunks are then
    /// unknown, and pruning without them could delete its content.
    public static func chunks(in catalog: any CatalogStore, repositoryID: UUID) async throws -> Set<ChunkID> {
        var chunks = Set<ChunkID>()
        try await forEachManifest(in: catalog, repositoryID: repositoryID) { _, manifest in
            chunks.formUnion(manifest.chunks)
        }
        return chunks
    }

    /// What a prune of `repository`'s store must keep: every chunk any record's rows reference, of which the rows of
    /// `repository` and of the records known to name the same store must be in it.
    ///
    /// Every record's references are kept, not only this store's: whether two records name one store (`/srv/repo`
    /// and a symbolic link to it, two mounts of one share, a path not mounted now) cannot always be told, and a record
    /// wrongly taken for another store would lose its chunks. Keeping another repository's references costs nothing,
    /// since chunk ids are keyed per repository and never match a chunk of this one. Only the references of records
    /// known to name this store must be in it; counting the others would refuse a healthy repository.
    /// Throws as `chunks(in:repositoryID:)` does, and `EngineError.repositoryUnavailable` for a malformed location.
    public static func pruneReferences(in catalog: any CatalogStore, of repository: BackupRepository) async throws -> PruneReferences {
        let store = try RepositoryLocation(repository.location)
        var kept = Set<ChunkID>()
        var stored = Set<ChunkID>()
        for record in try await catalog.repositories() {
            let chunks = try await Self.chunks(in: catalog, repositoryID: record.id)
            kept.formUnion(chunks)
            let sameStore =
                record.id == repository.id
                || (try? RepositoryLocation(record.location)).map { $0.namesSameStore(as: store) } ?? false
            if sameStore { stored.formUnion(chunks) }
        }
        return PruneReferences(kept: kept, stored: stored)
    }

    /// The rows of `repositoryID` whose content uses any of `chunks` (every state and version), in row order.
    public static func items(using chunks: Set<ChunkID>, in catalog: any CatalogStore, repositoryID: UUID) async throws -> [ItemVersion] {
        guard !chunks.isEmpty else { return [] }
        var affected: [ItemVersion] = []
        try await forEachManifest(in: catalog, repositoryID: repositoryID) { row, manifest in
            if manifest.chunks.contains(where: chunks.contains) { affected.append(row) }
        }
        return affected
    }

    private static func forEachManifest(
        in catalog: any CatalogStore, repositoryID: UUID, _ visit: (ItemVersion, ContentManifest) throws -> Void
    ) async throws {
        var after: Int64 = 0
        while true {
            let page = try await catalog.contentRows(repositoryID: repositoryID, afterRowID: after, limit: pageSize)
            guard let last = page.last else { return }
            after = last.rowID
            for row in page {
                guard let content = row.content else { continue }
                let manifest: ContentManifest
                do {
                    manifest = try ContentManifest(serialized: content)
                } catch {
                    throw EngineError.unreadableContentManifest(item: "\(row.name) (item \(row.itemID), row \(row.rowID))", reason: "\(error)")
                }
                try visit(row, manifest)
            }
        }
    }
}
