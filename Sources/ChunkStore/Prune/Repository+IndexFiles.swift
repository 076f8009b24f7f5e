extension Repository {
    /// The keys of the index files the store holds now.
    ///
    /// A prune that changes the index replaces every index file, so a set taken earlier that lost a member means
    /// a prune ran since: this open instance's index may point into deleted packs, and the repository must be
    /// opened again before writing (deduplicating against a pruned chunk would lose data) or reading.
    public nonisolated func indexFiles() async throws -> Set<String> {
        Set(try await store.list(prefix: IndexFile.prefix).map(\.key))
    }
}
