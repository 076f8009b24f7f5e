import Crypto
import NIOCore

/// The check of one pack object: its table, the index entries that point into it and, with `readData`, its bytes.
struct PackCheck: Sendable {
    /// Bytes fetched per ranged get when reading a pack whole.
    static let readWindow = 4 << 20

    let store: any ObjectStore
    let sealer: ChunkSealer
    let pack: PackID
    let size: Int64
    /// What the index says lives in this pack; nil when no index file names it (an unreferenced pack).
    let indexEntries: [PackEntry]?
    let readData: Bool

    /// What one pack's check found.
    struct Outcome: Sendable {
        var problems: [CheckProblem] = []
        /// Indexed chunks of this pack that a read through the index cannot return.
        var unreadable: Set<ChunkID> = []
        var chunksRead = 0
        var bytesRead: Int64 = 0
    }

    func run() async throws -> Outcome {
        var outcome = Outcome()
        let key = pack.objectKey
        var table: [PackEntry]?
        do {
            table = try await PackTable.read(key: key, store: store, sealer: sealer)
        } catch let error as ChunkStoreError where RepositoryCheck.isDamage(error) {
            outcome.problems.append(.unreadablePack(pack: key, reason: RepositoryCheck.reason(error)))
        }
        if let indexEntries { compare(indexEntries, with: table, into: &outcome) }
        if readData { try await verifyBytes(table: table, into: &outcome) }
        return outcome
    }

    /// Checks every index entry against the pack's size and table; entries that cannot be read become `unreadable`.
    private func compare(_ indexEntries: [PackEntry], with table: [PackEntry]?, into outcome: inout Outcome) {
        let key = pack.objectKey
        let tableByID = table.map { Dictionary($0.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first }) }
        for entry in indexEntries {
            let range = Int64(entry.offset)..<(Int64(entry.offset) + Int64(entry.length))
            if range.upperBound > size {
                outcome.problems.append(.indexEntryOutsidePack(pack: key, chunk: entry.id, range: range, packSize: size))
                outcome.unreadable.insert(entry.id)
                continue
            }
            guard let tableByID else { continue }
            guard let listed = tableByID[entry.id] else {
                outcome.problems.append(
                    .indexDisagreesWithPack(pack: key, chunk: entry.id, reason: "the index lists it, the pack's table does not"))
                outcome.unreadable.insert(entry.id)
                continue
            }
            if listed != entry {
                outcome.problems.append(
                    .indexDisagreesWithPack(
                        pack: key, chunk: entry.id,
                        reason: "the index says bytes \(Self.describe(entry)), the pack's table says \(Self.describe(listed))"))
                outcome.unreadable.insert(entry.id)
            }
        }
        if let table {
            let indexed = Set(indexEntries.map(\.id))
            let unlisted = table.count { !indexed.contains($0.id) }
            if unlisted > 0 {
                outcome.problems.append(
                    .indexDisagreesWithPack(
                        pack: key, chunk: nil,
                        reason: "the pack holds \(unlisted) chunk\(unlisted == 1 ? "" : "s") that the index does not list"))
            }
        }
    }

    /// Reads the pack front to back in windows, opening every chunk the table or the index places in it, and
    /// hashes the whole object against the pack's name.
    private func verifyBytes(table: [PackEntry]?, into outcome: inout Outcome) async throws {
        let key = pack.objectKey
        let indexed = Set(indexEntries ?? [])
        let indexedIDs = Set(indexed.map(\.id))
        // Index entries already known to be unreadable are not read again; the table's entries are all in bounds.
        var wanted = Set(table ?? [])
        for entry in indexed where !outcome.unreadable.contains(entry.id) && Int64(entry.offset) + Int64(entry.length) <= size {
            wanted.insert(entry)
        }
        let entries = wanted.sorted { ($0.offset, $0.length, $0.id) < ($1.offset, $1.length, $1.id) }

        var hasher = SHA256()
        var window = ByteBufferAllocator().buffer(capacity: 0)
        var windowStart: Int64 = 0
        var offset: Int64 = 0
        var next = 0
        while offset < size {
            try Task.checkCancellation()
            let end = min(offset + Int64(Self.readWindow), size)
            var piece: ByteBuffer
            do {
                piece = try await store.get(key: key, range: offset..<end)
            } catch let error as ChunkStoreError where RepositoryCheck.isDamage(error) {
                outcome.problems.append(.unreadablePack(pack: key, reason: RepositoryCheck.reason(error)))
                return
            }
            hasher.update(data: piece.readableBytesView)
            outcome.bytesRead += Int64(piece.readableBytes)
            window.writeBuffer(&piece)
            offset = end
            while next < entries.count, Int64(entries[next].offset) + Int64(entries[next].length) <= end {
                let entry = entries[next]
                let sealed = window.getSlice(
                    at: window.readerIndex + Int(Int64(entry.offset) - windowStart), length: Int(entry.length))!
                do {
                    _ = try sealer.open(sealed, id: entry.id, rawLength: Int(entry.rawLength))
                } catch let error as ChunkStoreError {
                    outcome.problems.append(.damagedChunk(pack: key, chunk: entry.id, reason: RepositoryCheck.reason(error)))
                    if indexedIDs.contains(entry.id) { outcome.unreadable.insert(entry.id) }
                }
                outcome.chunksRead += 1
                next += 1
            }
            // Entries are sorted by offset, so nothing before the next one is needed again.
            let keepFrom = next < entries.count ? min(Int64(entries[next].offset), end) : end
            window.moveReaderIndex(forwardBy: Int(keepFrom - windowStart))
            window.discardReadBytes()
            windowStart = keepFrom
        }
        // Only worth saying when nothing else explains the damage.
        if outcome.problems.isEmpty, Array(hasher.finalize()) != pack.digest.bytes {
            outcome.problems.append(.packDigestMismatch(pack: key))
        }
    }

    private static func describe(_ entry: PackEntry) -> String {
        "\(entry.offset)..<\(Int64(entry.offset) + Int64(entry.length)) (\(entry.rawLength) bytes plain)"
    }
}
