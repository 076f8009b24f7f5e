import NIOCore

/// The recipe for one stored stream of bytes: its size and the ordered chunk ids that make it up.
///
/// Callers persist it (e.g. in the catalog) via `serialized()`; a manifest of an empty stream has no chunks.
public struct ContentManifest: Sendable, Hashable {
    /// The total size of the content in bytes.
    public var size: Int64
    /// The chunks, in order; concatenating their plaintexts gives the content.
    public var chunks: [ChunkID]

    static let formatVersion: UInt8 = 1

    /// Creates a manifest from its parts.
    public init(size: Int64, chunks: [ChunkID]) {
        self.size = size
        self.chunks = chunks
    }

    /// A compact binary form: version byte, size (UInt64), chunk count (UInt32), then 32 bytes per chunk.
    public func serialized() -> [UInt8] {
        var buffer = ByteBufferAllocator().buffer(capacity: 13 + 32 * chunks.count)
        buffer.writeInteger(Self.formatVersion)
        buffer.writeInteger(UInt64(size))
        buffer.writeInteger(UInt32(chunks.count))
        for chunk in chunks { chunk.digest.write(to: &buffer) }
        return buffer.readBytes(length: buffer.readableBytes) ?? []
    }

    /// Parses the form written by `serialized()`.
    ///
    /// Throws `ChunkStoreError.invalidManifest` for truncated, oversized or unknown-version input.
    public init(serialized: [UInt8]) throws {
        var buffer = ByteBufferAllocator().buffer(capacity: serialized.count)
        buffer.writeBytes(serialized)
        guard let version = buffer.readInteger(as: UInt8.self) else { throw ChunkStoreError.invalidManifest("empty input") }
        guard version == Self.formatVersion else { throw ChunkStoreError.invalidManifest("unknown version \(version)") }
        guard let size = buffer.readInteger(as: UInt64.self), size <= UInt64(Int64.max),
            let count = buffer.readInteger(as: UInt32.self)
        else { throw ChunkStoreError.invalidManifest("truncated header") }
        guard buffer.readableBytes == Int(count) * 32 else {
            throw ChunkStoreError.invalidManifest("expected \(count) chunk ids, found \(buffer.readableBytes) bytes")
        }
        var chunks: [ChunkID] = []
        chunks.reserveCapacity(Int(count))
        for _ in 0..<count {
            guard let digest = Digest32(reading: &buffer) else { throw ChunkStoreError.invalidManifest("truncated chunk id") }
            chunks.append(ChunkID(digest: digest))
        }
        self.size = Int64(size)
        self.chunks = chunks
    }
}
