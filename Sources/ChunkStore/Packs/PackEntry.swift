/// Where one sealed chunk sits inside a pack.
struct PackEntry: Hashable, Sendable {
    var id: ChunkID
    /// Byte offset of the sealed chunk from the start of the pack.
    var offset: UInt32
    /// Length of the sealed chunk in the pack.
    var length: UInt32
    /// Length of the chunk's plaintext.
    var rawLength: UInt32
}
