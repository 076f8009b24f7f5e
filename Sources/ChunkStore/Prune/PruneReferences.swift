/// What a prune must keep, and which of it must already be in the store.
///
/// The two differ when the caller cannot be sure which references belong to the store being pruned (a catalog with
/// several repository records, two of which may name one store in ways a path comparison misses): it keeps every
/// reference it knows, which costs nothing because chunk ids are keyed per repository and another repository's never
/// match a chunk here, and it asks for a refusal only over the references it knows are this store's.
public struct PruneReferences: Sendable, Hashable {
    /// Chunks no prune may delete (always includes `stored`).
    public let kept: Set<ChunkID>
    /// Chunks that must be in a pack the store holds; one that is not refuses the prune as damage.
    public let stored: Set<ChunkID>

    /// References where every kept chunk must be in the store.
    public init(stored: Set<ChunkID>) {
        self.kept = stored
        self.stored = stored
    }

    /// References that keep `kept` and `stored`, and require only `stored` to be in the store.
    public init(kept: Set<ChunkID>, stored: Set<ChunkID>) {
        self.kept = kept.union(stored)
        self.stored = stored
    }
}
