import NIOCore

/// Pulls the chunks of one manifest in order, one at a time, so reading applies back-pressure and
/// holds at most one chunk; decryption runs here, off the repository actor.
actor ContentReader {
    private let repository: Repository
    private let manifest: ContentManifest
    private let sealer: ChunkSealer
    private let store: any ObjectStore
    private var position = 0
    private var bytesRead: Int64 = 0

    init(repository: Repository, manifest: ContentManifest, sealer: ChunkSealer, store: any ObjectStore) {
        self.repository = repository
        self.manifest = manifest
        self.sealer = sealer
        self.store = store
    }

    /// The next chunk's plaintext, or nil at the end; throws on any missing or corrupt chunk.
    func next() async throws -> ByteBuffer? {
        guard position < manifest.chunks.count else {
            guard bytesRead == manifest.size else {
                throw ChunkStoreError.invalidManifest("manifest says \(manifest.size) bytes, chunks hold \(bytesRead)")
            }
            return nil
        }
        try Task.checkCancellation()
        let id = manifest.chunks[position]
        let plaintext: ByteBuffer
        switch try await repository.locate(id) {
        case .memory(let sealed, let rawLength):
            plaintext = try sealer.open(sealed, id: id, rawLength: rawLength)
        case .object(let key, let range, let rawLength):
            let sealed = try await store.get(key: key, range: range)
            plaintext = try sealer.open(sealed, id: id, rawLength: rawLength)
        }
        position += 1
        bytesRead += Int64(plaintext.readableBytes)
        guard bytesRead <= manifest.size else {
            throw ChunkStoreError.invalidManifest("chunks hold more than the manifest's \(manifest.size) bytes")
        }
        return plaintext
    }
}
