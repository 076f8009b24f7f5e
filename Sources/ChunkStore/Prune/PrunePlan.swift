/// The decisions of one prune, computed from what the store holds and the set of chunks still referenced.
///
/// Every referenced chunk is assigned to exactly one pack that holds it (the one holding the most referenced
/// bytes), so duplicates left by concurrent writers or an interrupted prune count as unused. A pack with no
/// assigned chunk is deleted; one with too large an unused share, or one of several small packs, is repacked;
/// every other pack is kept whole.
struct PrunePlan: Sendable {
    /// A pack object and the chunks it holds (from the index, or from its own table when no index names it).
    struct Pack: Sendable {
        var id: PackID
        var size: Int64
        var entries: [PackEntry]
        var isIndexed: Bool
    }

    /// A pack to repack and the entries to copy out of it.
    struct Repack: Sendable {
        var pack: Pack
        var copies: [PackEntry]
    }

    /// The index files read (all of them); superseded when `rewritesIndex`.
    var indexFiles: [String]
    var kept: [Pack] = []
    var repacked: [Repack] = []
    var deleted: [Pack] = []
    /// Packs an index file names but the store does not hold, holding no referenced chunk: dropped from the index.
    var missingPacks: [PackID] = []
    /// Whether a new index must replace the index files: an indexed pack goes, or an unindexed pack stays.
    var rewritesIndex = false
    var packsBefore = 0
    var bytesBefore: Int64 = 0
    /// Distinct chunks the index names before, and how many of them survive in kept packs or copies.
    var chunksBefore = 0
    var chunksSurviving = 0

    /// Plans a prune.
    ///
    /// - Parameters:
    ///   - index: the packs each index file names, in index-file key order.
    ///   - stored: every pack object in the store and its size.
    ///   - unindexedTables: the tables of the stored packs no index file names (those whose table is readable).
    ///   - references: the chunks that must stay readable, and those of them that must be in the store.
    /// - Throws: `ChunkStoreError.pruneRefused` when a chunk of `references.stored` is in no pack the store holds.
    static func make(
        index: [(key: String, packs: [(PackID, [PackEntry])])], stored: [PackID: Int64], unindexedTables: [PackID: [PackEntry]],
        references: PruneReferences, options: PruneOptions
    ) throws -> PrunePlan {
        let referenced = references.kept
        var plan = PrunePlan(indexFiles: index.map(\.key))
        var packs: [PackID: Pack] = [:]
        var indexedChunks = Set<ChunkID>()
        for file in index {
            for (id, entries) in file.packs {
                for entry in entries { indexedChunks.insert(entry.id) }
                guard packs[id] == nil else { continue }
                if let size = stored[id] {
                    packs[id] = Pack(id: id, size: size, entries: entries, isIndexed: true)
                } else if !plan.missingPacks.contains(id) {
                    plan.missingPacks.append(id)
                }
            }
        }
        for (id, entries) in unindexedTables where packs[id] == nil {
            if let size = stored[id] { packs[id] = Pack(id: id, size: size, entries: entries, isIndexed: false) }
        }
        plan.packsBefore = stored.count
        plan.bytesBefore = stored.values.reduce(0, +)
        plan.chunksBefore = indexedChunks.count

        // Where each referenced chunk lives, and how many referenced bytes each pack holds.
        var locations: [ChunkID: [PackID]] = [:]
        var referencedBytes: [PackID: Int64] = [:]
        for pack in packs.values {
            for entry in pack.entries where referenced.contains(entry.id) {
                locations[entry.id, default: []].append(pack.id)
                referencedBytes[pack.id, default: 0] += Int64(entry.length)
            }
        }
        let missing = references.stored.subtracting(locations.keys)
        if !missing.isEmpty {
            let examples = missing.sorted().prefix(3).map(\.hex).joined(separator: ", ")
            throw ChunkStoreError.pruneRefused(
                "\(missing.count) referenced chunk\(missing.count == 1 ? " is" : "s are") in no pack the store holds "
                    + "(e.g. \(examples)); run `lifeboat repo check` to find the damage before pruning")
        }
        var assigned: [ChunkID: PackID] = [:]
        for (chunk, holders) in locations {
            assigned[chunk] = holders.max { (referencedBytes[$0] ?? 0, $1) < (referencedBytes[$1] ?? 0, $0) }
        }
        var liveBytes: [PackID: Int64] = [:]
        for pack in packs.values {
            for entry in pack.entries where assigned[entry.id] == pack.id {
                liveBytes[pack.id, default: 0] += Int64(entry.length)
            }
        }

        var keep: [Pack] = []
        var repack: [Pack] = []
        var small: [Pack] = []
        for pack in packs.values.sorted(by: { $0.id < $1.id }) {
            let live = liveBytes[pack.id] ?? 0
            if live == 0 {
                plan.deleted.append(pack)
            } else if Double(pack.size - live) * 100 > options.maxUnusedPercent * Double(pack.size) {
                repack.append(pack)
            } else if pack.size < options.smallPackSize {
                small.append(pack)
            } else {
                keep.append(pack)
            }
        }
        if small.count >= 2 { repack += small } else { keep += small }

        let keptChunks = Set(keep.flatMap { $0.entries.map(\.id) })
        for pack in repack {
            let copies = pack.entries.filter { assigned[$0.id] == pack.id && !keptChunks.contains($0.id) }
            plan.repacked.append(Repack(pack: pack, copies: copies))
        }
        plan.kept = keep
        plan.rewritesIndex = !plan.missingPacks.isEmpty || !plan.repacked.isEmpty
            || plan.deleted.contains(where: \.isIndexed) || keep.contains { !$0.isIndexed }
        var surviving = keptChunks
        for repack in plan.repacked { for entry in repack.copies { surviving.insert(entry.id) } }
        plan.chunksSurviving = indexedChunks.intersection(surviving).count
        return plan
    }

    /// Bytes the copied chunks will take in new packs (chunks plus each pack's sealed table), for dry runs.
    func estimatedNewPackBytes(packTargetSize: Int) -> Int64 {
        let copies = repacked.flatMap(\.copies)
        let bytes = copies.reduce(Int64(0)) { $0 + Int64($1.length) }
        guard !copies.isEmpty else { return 0 }
        let packs = max(1, (bytes + Int64(packTargetSize) - 1) / Int64(packTargetSize))
        let tableOverhead = Int64(5 + 12 + 16 + PackTable.trailerSize)
        return bytes + Int64(copies.count * PackTable.entrySize) + packs * tableOverhead
    }
}
