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

    /// Every chunk that rows of `repository`, or of another record naming the same store, reference: what a prune of
    /// that store must keep.
    ///
    /// Two records may name one store (`/srv/repo` and a symbolic link to it, `s3://b/p` and `s3://b/p/`), and what
    /// either's rows use lives there. Records of other stores are left out: their chunks are not in this store, so
    /// counting them would make the prune refuse a healthy repository (a referenced chunk in no pack).
    /// Throws as `chunks(in:repositoryID:)` does, and `EngineError.repositoryUnavailable` for a malformed location.
    public static func chunks(in catalog: any CatalogStore, storedWith repository: BackupRepository) async throws -> Set<ChunkID> {
        let store = try RepositoryLocation(repository.location)
        var chunks = Set<ChunkID>()
        for record in try await catalog.repositories() {
            let sameStore =
                record.id == repository.id
                || (try? RepositoryLocation(record.location)).map { $0.namesSameStore(as: store) } ?? false
            if sameStore { chunks.formUnion(try await Self.chunks(in: catalog, repositoryID: record.id)) }
        }
        return chunks
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
