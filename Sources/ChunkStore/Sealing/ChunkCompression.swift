/// The compression recorded in the first (encrypted) byte of every sealed chunk.
enum ChunkCompression: UInt8, Sendable {
    /// Stored as is (incompressible content).
    case none = 0
    /// zlib (RFC 1950) via CompressNIO.
    case zlib = 1
    // 2 is reserved for zstd.
}
