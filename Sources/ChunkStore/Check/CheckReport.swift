/// What `RepositoryCheck` found: counts, problems, and the chunks whose content can no longer be read.
public struct CheckReport: Sendable, Hashable {
    /// The checked repository's id (64 hex digits).
    public var repositoryID: String
    /// Whether every chunk was read, decrypted, decompressed and its id recomputed (`readData: true`).
    public var readData: Bool
    /// `keys/` objects (one per password).
    public var keyFiles = 0
    /// `index/` objects, readable or not.
    public var indexFiles = 0
    /// Pack objects in the store.
    public var packs = 0
    /// Bytes of all pack objects in the store (what the repository occupies, tables included).
    public var packBytes: Int64 = 0
    /// Distinct chunks named by readable index files.
    public var chunks = 0
    /// Chunks read and verified (`readData` only; chunks of unreferenced packs included).
    public var chunksRead = 0
    /// Pack bytes read and hashed (`readData` only).
    public var bytesRead: Int64 = 0
    /// Packs that no readable index file names, by object key: what a crash between a pack upload and its
    /// index leaves. Not a problem (`prune` removes them) unless an index file is unreadable.
    public var unreferencedPacks: [String] = []
    /// Bytes of the unreferenced packs.
    public var unreferencedBytes: Int64 = 0
    /// Everything found wrong, in a stable order (key files, index files, packs by key, then referenced chunks).
    public var problems: [CheckProblem] = []
    /// Chunks that a read through the index cannot return: their pack is missing, the index points outside it
    /// or disagrees with it, or (with `readData`) their bytes fail verification.
    ///
    /// To name what is affected, a caller holding content manifests (the catalog) intersects each manifest's
    /// `chunks` with this set: an item version whose manifest shares a chunk with it cannot be restored from
    /// this repository. Without `readData` only structural damage lands here; bit rot inside a chunk needs
    /// `readData: true`.
    public var damagedChunks: Set<ChunkID> = []

    /// Creates an empty report for a repository.
    public init(repositoryID: String, readData: Bool) {
        self.repositoryID = repositoryID
        self.readData = readData
    }

    /// True when nothing is wrong (unreferenced packs alone keep a repository healthy).
    public var isHealthy: Bool { problems.isEmpty }

    /// Whether `manifest` references a damaged chunk, i.e. its content can no longer be read back whole.
    public func affects(_ manifest: ContentManifest) -> Bool {
        !damagedChunks.isEmpty && manifest.chunks.contains { damagedChunks.contains($0) }
    }
}
