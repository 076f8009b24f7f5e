import Foundation

/// What an admin sees of a repository: identity, format, keys (never the keys themselves) and size.
public struct RepositoryInfo: Sendable, Hashable {
    /// The repository's random id (64 hex digits).
    public var id: String
    /// The repository format version from `config`.
    public var formatVersion: Int
    /// When the repository was initialized.
    public var created: Date
    /// The content-defined chunking bounds, fixed for the repository's life.
    public var chunking: ChunkingParameters
    /// One entry per `keys/` object, i.e. per password that opens the repository.
    public var keys: [RepositoryKeyInfo]
    /// `index/` objects.
    public var indexFiles: Int
    /// Chunks, packs and stored bytes as the index knows them.
    public var statistics: RepositoryStatistics
    /// Plaintext bytes of all indexed chunks (each chunk once), for the compression and deduplication ratios.
    public var plaintextBytes: Int64

    /// Creates a description.
    public init(
        id: String, formatVersion: Int, created: Date, chunking: ChunkingParameters, keys: [RepositoryKeyInfo], indexFiles: Int,
        statistics: RepositoryStatistics, plaintextBytes: Int64
    ) {
        self.id = id
        self.formatVersion = formatVersion
        self.created = created
        self.chunking = chunking
        self.keys = keys
        self.indexFiles = indexFiles
        self.statistics = statistics
        self.plaintextBytes = plaintextBytes
    }
}
