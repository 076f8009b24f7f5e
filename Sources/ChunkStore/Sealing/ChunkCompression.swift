/// The compression recorded in the first (encrypted) byte of every sealed chunk.
enum ChunkCompression: UInt8, Sendable {
    /// Stored as is (incompressible content).
    case none = 0
    /// zlib (RFC 1950) via CompressNIO: what Lifeboat writes where the system has no `libzstd`.
    case zlib = 1
    /// Zstandard (RFC 8878) through the system's `libzstd` (`ZstdLibrary`).
    case zstd = 2
}
