import NIOCore

/// Where a reader fetches one sealed chunk from: memory (not yet uploaded) or a ranged get of a pack.
enum ChunkSource: Sendable {
    case memory(sealed: ByteBuffer, rawLength: Int)
    case object(key: String, range: Range<Int64>, rawLength: Int)
}
