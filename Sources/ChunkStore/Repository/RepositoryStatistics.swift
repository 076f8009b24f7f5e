/// Counters describing a repository's content as this process knows it.
public struct RepositoryStatistics: Sendable, Hashable {
    /// Distinct chunks in the index, including ones not yet flushed.
    public var chunks: Int
    /// Packs written to the store (the open pack is not counted).
    public var packs: Int
    /// Sealed (compressed and encrypted) bytes of all indexed chunks, excluding pack tables.
    public var storedBytes: Int64

    /// Creates statistics.
    public init(chunks: Int, packs: Int, storedBytes: Int64) {
        self.chunks = chunks
        self.packs = packs
        self.storedBytes = storedBytes
    }
}
