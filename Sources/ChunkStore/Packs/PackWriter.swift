import Crypto
import NIOCore

/// The open pack: sealed chunks accumulate here until the pack is sealed and uploaded.
struct PackWriter: Sendable {
    /// Packs are sealed once they reach this size (~16 MiB), so a pack is at most this plus one chunk.
    static let defaultTargetSize = 16 << 20

    /// Room reserved beyond the target: one more chunk of the default maximum size, sealed, and the table.
    private static let headroom = (4 << 20) + (256 << 10)

    private(set) var buffer: ByteBuffer
    private(set) var entries: [PackEntry] = []

    /// Creates an empty pack whose buffer is allocated once, large enough for `targetSize` plus a chunk and the
    /// table, so appending never reallocates and copies a growing pack.
    init(targetSize: Int = PackWriter.defaultTargetSize) {
        buffer = ByteBufferAllocator().buffer(capacity: targetSize + Self.headroom)
    }

    var size: Int { buffer.readableBytes }
    var isEmpty: Bool { entries.isEmpty }

    /// Appends a sealed chunk (nonce ‖ ciphertext ‖ tag) and returns where it landed.
    mutating func append(id: ChunkID, sealed: some Collection<UInt8>, rawLength: Int) -> PackEntry {
        let entry = PackEntry(
            id: id, offset: UInt32(buffer.readableBytes), length: UInt32(sealed.count), rawLength: UInt32(rawLength))
        buffer.writeBytes(sealed)
        entries.append(entry)
        return entry
    }

    /// Appends a sealed chunk held in a `ByteBuffer` (a chunk copied from another pack).
    mutating func append(id: ChunkID, sealed: ByteBuffer, rawLength: Int) -> PackEntry {
        append(id: id, sealed: sealed.readableBytesView, rawLength: rawLength)
    }

    /// A copy of one sealed chunk still in the open pack (a copy, so the pack buffer stays uniquely owned).
    func sealedChunk(offset: Int, length: Int) -> ByteBuffer {
        ByteBuffer(bytes: buffer.readableBytesView[(buffer.readerIndex + offset)..<(buffer.readerIndex + offset + length)])
    }

    /// The pack's table, encrypted: the one step of sealing that can fail, so it runs before the writer is given up.
    func sealedTable(sealer: ChunkSealer) throws -> ByteBuffer {
        try PackTable.encode(entries, sealer: sealer)
    }

    /// Finishes the pack: appends the sealed table (from `sealedTable`) and names the blob by its SHA-256.
    ///
    /// Consumes the writer so the table is appended to the pack's own storage rather than to a copy of it.
    consuming func finish(table: ByteBuffer) -> SealedPack {
        var table = table
        buffer.writeBuffer(&table)
        let digest = SHA256.hash(data: buffer.readableBytesView)
        return SealedPack(id: PackID(digest: Digest32(bytes: Array(digest))), blob: buffer, entries: entries)
    }

    /// Finishes the pack in one step (`sealedTable`, then `finish`).
    consuming func seal(sealer: ChunkSealer) throws -> SealedPack {
        let table = try sealedTable(sealer: sealer)
        return finish(table: table)
    }
}
