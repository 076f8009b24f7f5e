import NIOCore

/// Copies chunks out of old packs into new ones, sealed bytes as they are (the chunk id, not the pack, is the
/// encryption's associated data), verifying each chunk before copying so damage is never carried forward.
///
/// Reads with ranged gets of at most `readWindow` bytes covering neighbouring chunks; memory stays at about one
/// read window plus one open pack.
struct Repacker {
    /// The most bytes one ranged get fetches (a single larger chunk is fetched alone).
    static let readWindow: Int64 = 4 << 20
    /// Unwanted bytes between two wanted chunks that are still fetched rather than starting a new get.
    static let maximumGap: Int64 = 256 << 10

    let store: any ObjectStore
    let sealer: ChunkSealer
    let packTargetSize: Int
    private var writer = PackWriter()
    /// The packs written so far and what they hold.
    private(set) var written: [(PackID, [PackEntry])] = []
    private(set) var writtenBytes: Int64 = 0
    private(set) var chunksCopied = 0

    init(store: any ObjectStore, sealer: ChunkSealer, packTargetSize: Int) {
        self.store = store
        self.sealer = sealer
        self.packTargetSize = packTargetSize
    }

    /// Copies `entries` of `pack` into the open new pack, sealing and uploading it whenever it is full.
    ///
    /// Throws `ChunkStoreError.corruptChunk` when a chunk fails verification, and store errors.
    mutating func copy(_ entries: [PackEntry], from pack: PackID) async throws {
        let sorted = entries.sorted { $0.offset < $1.offset }
        var index = 0
        while index < sorted.count {
            try Task.checkCancellation()
            let start = Int64(sorted[index].offset)
            var end = start + Int64(sorted[index].length)
            var last = index
            while last + 1 < sorted.count {
                let next = sorted[last + 1]
                let nextEnd = Int64(next.offset) + Int64(next.length)
                guard Int64(next.offset) - end <= Self.maximumGap, nextEnd - start <= Self.readWindow else { break }
                end = max(end, nextEnd)
                last += 1
            }
            let window = try await store.get(key: pack.objectKey, range: start..<end)
            guard window.readableBytes == Int(end - start) else {
                throw ChunkStoreError.corruptPack(
                    key: pack.objectKey,
                    reason: "bytes \(start)..<\(end) read back as \(window.readableBytes) bytes (truncated pack?)")
            }
            for entry in sorted[index...last] {
                let sealed = window.getSlice(at: window.readerIndex + Int(Int64(entry.offset) - start), length: Int(entry.length))!
                _ = try sealer.open(sealed, id: entry.id, rawLength: Int(entry.rawLength))
                _ = writer.append(id: entry.id, sealed: sealed, rawLength: Int(entry.rawLength))
                chunksCopied += 1
                if writer.size >= packTargetSize { try await sealOpenPack() }
            }
            index = last + 1
        }
    }

    /// Seals and uploads the last, partly filled pack.
    mutating func finish() async throws {
        try await sealOpenPack()
    }

    private mutating func sealOpenPack() async throws {
        guard !writer.isEmpty else { return }
        let sealed = try writer.seal(sealer: sealer)
        writer = PackWriter()
        try await store.put(key: sealed.id.objectKey, data: sealed.blob)
        written.append((sealed.id, sealed.entries))
        writtenBytes += Int64(sealed.blob.readableBytes)
    }
}
