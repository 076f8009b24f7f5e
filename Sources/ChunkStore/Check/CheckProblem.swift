/// One thing `RepositoryCheck` found wrong, with the objects a person needs to look at or restore from elsewhere.
///
/// Packs are named by their object key (`packs/ab/ab12…`), which is also their path below a local repository folder.
public enum CheckProblem: Sendable, Hashable, CustomStringConvertible {
    /// A `keys/` object is not a readable key file (other passwords may no longer open the repository).
    case unreadableKeyFile(key: String, reason: String)
    /// An `index/` object does not decrypt or parse. The packs it named look unreferenced, and
    /// `Repository.open` fails until the index is rebuilt from the packs.
    case unreadableIndexFile(key: String, reason: String)
    /// An object under `packs/` whose key is not a pack's (`packs/<2 hex>/<64 hex>`).
    case unexpectedObject(key: String)
    /// A pack's trailer or encrypted table is damaged (truncated, overwritten, or not written by this repository).
    case unreadablePack(pack: String, reason: String)
    /// A pack named by the index does not exist in the store; `chunks` index entries point into it.
    case missingPack(pack: String, chunks: Int)
    /// An index entry points to bytes beyond the end of its pack.
    case indexEntryOutsidePack(pack: String, chunk: ChunkID, range: Range<Int64>, packSize: Int64)
    /// The index and the pack's own table disagree about a chunk (`chunk` is nil when they disagree about the pack as a whole).
    case indexDisagreesWithPack(pack: String, chunk: ChunkID?, reason: String)
    /// A chunk's bytes fail verification (authentication tag, decompression, length or recomputed id); found with `readData`.
    case damagedChunk(pack: String, chunk: ChunkID, reason: String)
    /// A pack's bytes no longer hash to its name although every chunk and its table verify; found with `readData`.
    case packDigestMismatch(pack: String)
    /// Chunks that kept content (the catalog's manifests) uses are named by no index file: that content cannot be
    /// read back. `examples` holds a few of them.
    case referencedChunksMissing(count: Int, examples: [ChunkID])

    /// The pack the problem is about, when it is about one.
    public var pack: String? {
        switch self {
        case .unreadableKeyFile, .unreadableIndexFile, .unexpectedObject, .referencedChunksMissing: return nil
        case .unreadablePack(let pack, _), .missingPack(let pack, _), .indexEntryOutsidePack(let pack, _, _, _),
            .indexDisagreesWithPack(let pack, _, _), .damagedChunk(let pack, _, _), .packDigestMismatch(let pack):
            return pack
        }
    }

    /// The chunk the problem is about, when it is about one.
    public var chunk: ChunkID? {
        switch self {
        case .indexEntryOutsidePack(_, let chunk, _, _), .damagedChunk(_, let chunk, _): return chunk
        case .indexDisagreesWithPack(_, let chunk, _): return chunk
        default: return nil
        }
    }

    /// One line saying what is wrong and what to do about it.
    public var description: String {
        switch self {
        case .unreadableKeyFile(let key, let reason):
            return "key file '\(key)' is unreadable (\(reason)); the password it held no longer opens the repository"
        case .unreadableIndexFile(let key, let reason):
            return "index file '\(key)' is unreadable (\(reason)); the repository cannot be opened until its index "
                + "is rebuilt from the packs, and the packs it named show as unreferenced: do not prune"
        case .unexpectedObject(let key):
            return "'\(key)' is not a pack but lies under packs/; move it out of the repository"
        case .unreadablePack(let pack, let reason):
            return "pack '\(pack)' is damaged (\(reason)); restore the object from a copy of the repository if there is one"
        case .missingPack(let pack, let chunks):
            return "pack '\(pack)' is missing but the index points \(chunks) chunk\(chunks == 1 ? "" : "s") into it; "
                + "restore the object from a copy of the repository, or back up the affected items again"
        case .indexEntryOutsidePack(let pack, let chunk, let range, let size):
            return "chunk \(chunk) is indexed at bytes \(range.lowerBound)..<\(range.upperBound) of pack '\(pack)', "
                + "which has only \(size) bytes (truncated?)"
        case .indexDisagreesWithPack(let pack, let chunk, let reason):
            return "index and pack '\(pack)' disagree\(chunk.map { " about chunk \($0)" } ?? ""): \(reason)"
        case .damagedChunk(let pack, let chunk, let reason):
            return "chunk \(chunk) in pack '\(pack)' is damaged (\(reason))"
        case .packDigestMismatch(let pack):
            return "pack '\(pack)' no longer matches its name (SHA-256) although its chunks verify; the storage altered it"
        case .referencedChunksMissing(let count, let examples):
            return "\(count) chunk\(count == 1 ? "" : "s") that backed-up items use \(count == 1 ? "is" : "are") in no index file "
                + "(e.g. \(examples.map(\.hex).joined(separator: ", "))); back the affected items up again, or rebuild the index "
                + "if index files were lost"
        }
    }
}
