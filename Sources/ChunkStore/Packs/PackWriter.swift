import Crypto
import NIOCore

/// The open pack: sealed chunks accumulate here until the pack is sealed and uploaded.
struct PackWriter: Sendable {
    /// Packs are sealed once they reach this size (~16 MiB), so a pack is at most this plus one chunk.
    static let defaultTargetSize = 16 << 20

    private(set) var buffer = ByteBufferAllocator().buffer(capacity: 0)
    private(set) var entries: [PackEntry] = []

    var size: Int { buffer.readableBytes }
    var isEmpty: Bool { entries.isEmpty }

    /// Appends a sealed chunk and returns where it landed.
    mutating func append(id: ChunkID, sealed: ByteBuffer, rawLength: Int) -> PackEntry {
        let entry = PackEntry(
            id: id, offset: UInt32(buffer.readableBytes), length: UInt32(sealed.readableBytes),
            rawLength: UInt32(rawLength))
        buffer.writeImmutableBuffer(sealed)
        entries.append(entry)
        return entry
    }

    /// A copy of one sealed chunk still in the open pack (a copy, so the pack buffer stays uniquely owned).
    func sealedChunk(offset: Int, length: Int) -> ByteBuffer {
        ByteBuffer(bytes: buffer.readableBytesView[(buffer.readerIndex + offset)..<(buffer.readerIndex + offset + length)])
    }

    /// Finishes the pack: appends the sealed table and trailer and names the blob by its SHA-256.
    func seal(sealer: ChunkSealer) throws -> SealedPack {
        var blob = buffer
        var table = try PackTable.encode(entries, sealer: sealer)
        blob.writeBuffer(&table)
        let digest = SHA256.hash(data: blob.readableBytesView)
        return SealedPack(id: PackID(digest: Digest32(bytes: Array(digest))), blob: blob, entries: entries)
    }
}
