import NIOCore

/// The encrypted table of contents at the end of every pack, and the trailer that locates it.
///
/// Pack layout: sealed chunks ‖ sealed table ‖ table length (UInt32, big endian). The table plaintext is
/// version (UInt8), count (UInt32), then per chunk: id (32), offset, length, raw length (UInt32 each).
enum PackTable {
    static let formatVersion: UInt8 = 1
    static let label = "lifeboat.pack-table.v1"
    static let trailerSize = 4
    static let entrySize = 32 + 12

    /// Returns the sealed table followed by the trailer, ready to append to the pack's chunks.
    static func encode(_ entries: [PackEntry], sealer: ChunkSealer) throws -> ByteBuffer {
        var plain = ByteBufferAllocator().buffer(capacity: 5 + entries.count * entrySize)
        plain.writeInteger(formatVersion)
        plain.writeInteger(UInt32(entries.count))
        for entry in entries { write(entry, to: &plain) }
        var sealed = try sealer.sealMetadata(plain, label: label)
        sealed.writeInteger(UInt32(sealed.readableBytes))
        return sealed
    }

    /// Reads the table of the pack stored under `key` with two ranged gets (trailer, then table).
    static func read(key: String, store: any ObjectStore, sealer: ChunkSealer) async throws -> [PackEntry] {
        guard let info = try await store.head(key: key) else { throw ChunkStoreError.objectNotFound(key) }
        guard info.size >= Int64(trailerSize) else { throw ChunkStoreError.corruptPack(key: key, reason: "too short") }
        var trailer = try await store.get(key: key, range: (info.size - Int64(trailerSize))..<info.size)
        guard let tableLength = trailer.readInteger(as: UInt32.self), Int64(tableLength) + Int64(trailerSize) <= info.size
        else { throw ChunkStoreError.corruptPack(key: key, reason: "trailer points outside the pack") }
        let dataEnd = info.size - Int64(trailerSize) - Int64(tableLength)
        let sealed = try await store.get(key: key, range: dataEnd..<(info.size - Int64(trailerSize)))
        guard var plain = sealer.openMetadata(sealed, label: label) else {
            throw ChunkStoreError.corruptPack(key: key, reason: "table does not authenticate")
        }
        guard plain.readInteger(as: UInt8.self) == formatVersion, let count = plain.readInteger(as: UInt32.self),
            plain.readableBytes == Int(count) * entrySize
        else { throw ChunkStoreError.corruptPack(key: key, reason: "table is malformed") }
        var entries: [PackEntry] = []
        entries.reserveCapacity(Int(count))
        for _ in 0..<count {
            guard let entry = readEntry(from: &plain), Int64(entry.offset) + Int64(entry.length) <= dataEnd else {
                throw ChunkStoreError.corruptPack(key: key, reason: "table entry points outside the pack")
            }
            entries.append(entry)
        }
        return entries
    }

    static func write(_ entry: PackEntry, to buffer: inout ByteBuffer) {
        entry.id.digest.write(to: &buffer)
        buffer.writeInteger(entry.offset)
        buffer.writeInteger(entry.length)
        buffer.writeInteger(entry.rawLength)
    }

    static func readEntry(from buffer: inout ByteBuffer) -> PackEntry? {
        guard let digest = Digest32(reading: &buffer), let offset = buffer.readInteger(as: UInt32.self),
            let length = buffer.readInteger(as: UInt32.self), let rawLength = buffer.readInteger(as: UInt32.self)
        else { return nil }
        return PackEntry(id: ChunkID(digest: digest), offset: offset, length: length, rawLength: rawLength)
    }
}
