/// The repository's `index/` objects, the source of truth the chunk index is built from.
protocol IndexFileSource: Sendable {
    /// The keys of every index file, in any order.
    func listIndexFiles() async throws -> [String]
    /// The packs and entries one index file names.
    func readIndexFile(_ key: String) async throws -> [(PackID, [PackEntry])]
}

/// Index files as a repository's object store holds them (encrypted, see `IndexFile`).
struct StoreIndexFiles: IndexFileSource {
    let store: any ObjectStore
    let sealer: ChunkSealer

    func listIndexFiles() async throws -> [String] {
        try await store.list(prefix: IndexFile.prefix).map(\.key)
    }

    func readIndexFile(_ key: String) async throws -> [(PackID, [PackEntry])] {
        try IndexFile.decode(try await store.get(key: key, range: nil), key: key, sealer: sealer)
    }
}
