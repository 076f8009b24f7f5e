import NIOCore

/// An `index/<random hex>` object: the entries of the packs sealed between two flushes, encrypted.
///
/// Plaintext: version (UInt8), pack count (UInt32), then per pack: pack id (32), entry count (UInt32), entries
/// in the pack-table entry layout.
enum IndexFile {
    static let formatVersion: UInt8 = 1
    static let label = "lifeboat.index.v1"
    static let prefix = "index/"

    static func encode(_ packs: [(PackID, [PackEntry])], sealer: ChunkSealer) throws -> ByteBuffer {
        let total = packs.reduce(0) { $0 + $1.1.count }
        var plain = ByteBufferAllocator().buffer(capacity: 5 + packs.count * 36 + total * PackTable.entrySize)
        plain.writeInteger(formatVersion)
        plain.writeInteger(UInt32(packs.count))
        for (pack, entries) in packs {
            pack.digest.write(to: &plain)
            plain.writeInteger(UInt32(entries.count))
            for entry in entries { PackTable.write(entry, to: &plain) }
        }
        return try sealer.sealMetadata(plain, label: label)
    }

    static func decode(_ sealed: ByteBuffer, key: String, sealer: ChunkSealer) throws -> [(PackID, [PackEntry])] {
        guard var plain = sealer.openMetadata(sealed, label: label) else {
            throw ChunkStoreError.corruptMetadata(key: key, reason: "index file does not authenticate")
        }
        guard let version = plain.readInteger(as: UInt8.self) else {
            throw ChunkStoreError.corruptMetadata(key: key, reason: "empty index file")
        }
        guard version == formatVersion else { throw ChunkStoreError.unsupportedVersion(object: key, version: Int(version)) }
        guard let packCount = plain.readInteger(as: UInt32.self) else {
            throw ChunkStoreError.corruptMetadata(key: key, reason: "truncated index file")
        }
        var packs: [(PackID, [PackEntry])] = []
        for _ in 0..<packCount {
            guard let digest = Digest32(reading: &plain), let count = plain.readInteger(as: UInt32.self),
                plain.readableBytes >= Int(count) * PackTable.entrySize
            else { throw ChunkStoreError.corruptMetadata(key: key, reason: "truncated index file") }
            var entries: [PackEntry] = []
            entries.reserveCapacity(Int(count))
            for _ in 0..<count { entries.append(PackTable.readEntry(from: &plain)!) }
            packs.append((PackID(digest: digest), entries))
        }
        guard plain.readableBytes == 0 else {
            throw ChunkStoreError.corruptMetadata(key: key, reason: "trailing bytes in index file")
        }
        return packs
    }
}
