import Logging

/// The lookup from chunk id to where its sealed bytes live, sized for 100 million chunks without holding 100
/// million entries in memory.
///
/// Two parts:
/// - Segments: immutable runs of 48-byte records sorted by id (`IndexSegment`), memory-mapped from a local cache
///   folder (or held in memory for `.memory`), each with a Bloom filter so that looking up a new chunk (most
///   chunks of a first backup) almost never touches the records. A segment names the `index/` objects it was
///   built from; the cache is used only while every one of them still exists, so prune replacing index files or
///   another writer adding some is noticed at the next open. The index files stay the source of truth.
/// - A delta: a dictionary of chunks this process added (open pack, packs being uploaded, packs not yet folded
///   into a segment) and of index files read at open that no segment covers yet. Once index files name more
///   than `mergeThreshold` of its entries, `makeMergeJob` turns them into a new segment.
///
/// A value owned by `Repository` (an actor). A damaged segment bucket is never believed: `contains` treats its
/// chunks as absent (they are stored again), `locate` throws `IndexCacheError` and the owner runs a repair job.
struct ChunkIndex {
    /// A chunk's place: its pack (nil for the open pack, not yet sealed), offset, sealed and plaintext lengths.
    struct Location: Sendable, Hashable {
        var pack: PackID?
        var offset: UInt32
        var length: UInt32
        var rawLength: UInt32
    }

    /// Counters over segments and delta.
    struct Statistics: Sendable, Hashable {
        var chunks: Int
        var indexedPacks: Int
        var storedBytes: Int64
        var plaintextBytes: Int64
    }

    /// Delta entries index at most this many chunks named by index files before they go to a segment.
    static let defaultMergeThreshold = 64 * 1024

    private struct DeltaLocation {
        var slot: UInt32
        var offset: UInt32
        var length: UInt32
        var rawLength: UInt32
    }

    private struct SegmentState {
        let segment: IndexSegment
        /// One bit per bucket whose checksum has been verified in this process.
        var verified: [UInt64]
        var damage: IndexCacheError?

        init(_ segment: IndexSegment) {
            self.segment = segment
            verified = [UInt64](repeating: 0, count: (segment.layout.bucketCount + 63) / 64)
        }
    }

    private enum SegmentAnswer {
        case absent
        case found(IndexRecord)
        case damaged
    }

    private static let openSlot = UInt32.max

    let builder: SegmentBuilder
    /// Tests lower it to exercise segments with a few chunks.
    var mergeThreshold: Int
    private var segments: [SegmentState] = []
    private var delta: [ChunkID: DeltaLocation] = [:]
    private var deltaPacks: [PackID] = []
    private var deltaSlots: [PackID: UInt32] = [:]
    private var slotEntryCounts: [Int] = []
    private var indexedSlots: Set<UInt32> = []
    private var indexedDeltaEntries = 0
    private var deltaIndexFiles: Set<String> = []
    private var deltaStoredBytes: Int64 = 0
    private var deltaPlaintextBytes: Int64 = 0
    /// Set while a merge or repair job runs, so that at most one rewrites the segments at a time.
    private(set) var isRebuilding = false
    /// The index files listed when the index was opened, the ones it was built from (empty for a new repository).
    private(set) var openedFromIndexFiles: Set<String> = []

    /// An empty index (a new repository) keeping its segments in `folder` (nil: in memory).
    init(folder: String?, mergeThreshold: Int = Self.defaultMergeThreshold, bitsPerChunk: Int = ChunkFilter.defaultBitsPerChunk) {
        builder = SegmentBuilder(folder: folder, bitsPerChunk: bitsPerChunk)
        self.mergeThreshold = mergeThreshold
    }

    // MARK: - Opening

    /// Builds the index for the index files `source` lists, reusing cached segments in `folder` that cover only
    /// index files that still exist, and reading (and folding into a segment when many) the rest.
    ///
    /// A damaged cache file is deleted and its index files are read again. Throws what `source` throws.
    static func open(
        source: some IndexFileSource, folder: String?, mergeThreshold: Int = Self.defaultMergeThreshold,
        bitsPerChunk: Int = ChunkFilter.defaultBitsPerChunk, logger: Logger? = nil
    ) async throws -> ChunkIndex {
        let listed = Set(try await source.listIndexFiles())
        var attempts: [(folder: String?, useCache: Bool)] = [(folder, true), (folder, false)]
        if folder != nil { attempts.append((nil, false)) }
        for (position, attempt) in attempts.enumerated() {
            do {
                return try await open(
                    source: source, listed: listed, folder: attempt.folder, mergeThreshold: mergeThreshold,
                    bitsPerChunk: bitsPerChunk, useCache: attempt.useCache, logger: logger)
            } catch let problem as IndexCacheError where position < attempts.count - 1 {
                logger?.warning(
                    "index cache unusable; rebuilding it from the index files",
                    metadata: ["lifeboat.reason": "\(problem)", "lifeboat.inMemory": "\(attempts[position + 1].folder == nil)"])
            }
        }
        preconditionFailure("the last attempt returns or throws")
    }

    private static func open(
        source: some IndexFileSource, listed: Set<String>, folder: String?, mergeThreshold: Int, bitsPerChunk: Int,
        useCache: Bool, logger: Logger?
    ) async throws -> ChunkIndex {
        var index = ChunkIndex(folder: folder, mergeThreshold: mergeThreshold, bitsPerChunk: bitsPerChunk)
        index.openedFromIndexFiles = listed
        let cached = index.builder.openCachedSegments()
        var covered: Set<String> = []
        var usable: [IndexSegment] = []
        // A segment naming a vanished index file (prune replaced it) is stale; and because entries already in one
        // segment are skipped when a later one is built, a cache with any stale segment is dropped as a whole.
        if useCache && cached.allSatisfy({ Set($0.coveredIndexFiles).isSubset(of: listed) }) {
            for segment in cached.sorted(by: { $0.recordCount > $1.recordCount }) {
                // Overlapping coverage comes from concurrent writers or an interrupted compaction: keep one copy.
                let names = Set(segment.coveredIndexFiles)
                guard names.isDisjoint(with: covered) else { continue }
                usable.append(segment)
                covered.formUnion(names)
            }
        }
        SegmentBuilder.remove(cached.filter { segment in !usable.contains { $0 === segment } })
        index.segments = usable.map(SegmentState.init)

        let missing = listed.subtracting(covered).sorted()
        var spool = RecordSpool(directory: folder)
        defer { spool.removeRuns() }
        // One pack-table row per pack listed; no dictionary of pack ids (32 bytes a pack while building). A pack
        // listed by two index files (never written so, but possible mid-prune) just gets two rows.
        var packs: [PackID] = []
        for name in missing {
            for (pack, entries) in try await source.readIndexFile(name) {
                let number = UInt32(packs.count)
                packs.append(pack)
                for entry in entries {
                    guard try !index.segmentsContain(entry.id) else { continue }
                    try spool.append(IndexRecord(id: entry.id, pack: number, entry: entry))
                }
            }
        }
        if !spool.hasSpilled && spool.count < mergeThreshold {
            var previous: IndexRecord?
            for record in spool.sortedPending() where !(previous?.hasSameID(as: record) ?? false) {
                previous = record
                let slot = index.slot(for: packs[Int(record.pack)])
                index.indexedSlots.insert(slot)
                index.setDelta(
                    record.id,
                    DeltaLocation(slot: slot, offset: record.offset, length: record.length, rawLength: record.rawLength))
            }
            index.deltaIndexFiles = Set(missing)
        } else {
            let built = try index.builder.build(
                try spool.streams(packOffset: 0), capacity: spool.count, packs: packs, coveredIndexFiles: missing)
            let before = index.segments.map(\.segment)
            let after = try index.builder.compact(before + [built])
            SegmentBuilder.remove((before + [built]).filter { old in !after.contains { $0 === old } })
            index.segments = after.map(SegmentState.init)
        }
        logger?.info(
            "opened chunk index",
            metadata: [
                "lifeboat.indexFiles": "\(listed.count)", "lifeboat.cachedIndexFiles": "\(covered.count)",
                "lifeboat.segments": "\(index.segments.count)", "lifeboat.chunks": "\(index.statistics.chunks)",
            ])
        return index
    }

    /// Whether a segment holds the id; throws when the bucket it would be in is damaged.
    private mutating func segmentsContain(_ id: ChunkID) throws -> Bool {
        for position in segments.indices {
            switch answer(segment: position, id: id) {
            case .found: return true
            case .absent: continue
            case .damaged: throw segments[position].damage!
            }
        }
        return false
    }

    // MARK: - Lookups

    /// Whether the chunk is known. A chunk in a damaged part of the cache counts as absent (it is stored again).
    mutating func contains(_ id: ChunkID) -> Bool {
        if delta[id] != nil { return true }
        for position in segments.indices {
            if case .found = answer(segment: position, id: id) { return true }
        }
        return false
    }

    /// Where the chunk lives, nil when unknown; throws when the cache part that would hold it is damaged.
    mutating func locate(_ id: ChunkID) throws -> Location? {
        if let entry = delta[id] {
            return Location(
                pack: entry.slot == Self.openSlot ? nil : deltaPacks[Int(entry.slot)], offset: entry.offset,
                length: entry.length, rawLength: entry.rawLength)
        }
        var damage: IndexCacheError?
        for position in segments.indices {
            switch answer(segment: position, id: id) {
            case .found(let record):
                return Location(
                    pack: segments[position].segment.packID(record.pack), offset: record.offset, length: record.length,
                    rawLength: record.rawLength)
            case .absent:
                continue
            case .damaged:
                damage = segments[position].damage
            }
        }
        if let damage { throw damage }
        return nil
    }

    private mutating func answer(segment position: Int, id: ChunkID) -> SegmentAnswer {
        guard segments[position].damage == nil else { return .damaged }
        let segment = segments[position].segment
        let digest = id.digest
        guard segment.mayContain(w1: digest.w1, w2: digest.w2) else { return .absent }
        let bucket = segment.bucket(of: digest.w0)
        if segments[position].verified[bucket / 64] & (1 << UInt64(bucket % 64)) == 0 {
            guard segment.bucketIsIntact(bucket) else {
                segments[position].damage = .damaged(
                    path: segment.path ?? "memory", reason: "records of bucket \(bucket) do not match their checksum")
                return .damaged
            }
            segments[position].verified[bucket / 64] |= 1 << UInt64(bucket % 64)
        }
        guard let record = segment.find(digest.w0, digest.w1, digest.w2, digest.w3, in: segment.records(inBucket: bucket))
        else { return .absent }
        guard Int(record.pack) < segment.layout.packCount else {
            segments[position].damage = .damaged(path: segment.path ?? "memory", reason: "pack number out of range")
            return .damaged
        }
        return .found(record)
    }

    /// Chunks, packs named by index files, and byte totals (a chunk present in two segments counts twice until
    /// they are merged).
    var statistics: Statistics {
        var result = Statistics(
            chunks: delta.count, indexedPacks: indexedSlots.count, storedBytes: deltaStoredBytes,
            plaintextBytes: deltaPlaintextBytes)
        for state in segments {
            result.chunks += state.segment.recordCount
            result.indexedPacks += state.segment.layout.packCount
            result.storedBytes += state.segment.layout.storedBytes
            result.plaintextBytes += state.segment.layout.plaintextBytes
        }
        return result
    }

    /// Whether any segment's filter lets an id with these words through (measures the filters' false positives).
    func filtersMayContain(w1: UInt64, w2: UInt64) -> Bool {
        segments.contains { $0.segment.mayContain(w1: w1, w2: w2) }
    }

    /// Segments in use (for tests and the benchmark).
    var segmentCount: Int { segments.count }

    /// Calls `body` for every chunk in a sealed pack (open-pack chunks are left out), segments first; a chunk
    /// may be visited more than once when two segments hold it. Checks every bucket it reads.
    func forEachSealedEntry(_ body: (ChunkID, Location) throws -> Void) throws {
        for state in segments {
            let stream = SegmentRecordStream(state.segment, packOffset: 0)
            while let record = try stream.next() {
                try body(
                    record.id,
                    Location(
                        pack: state.segment.packID(record.pack), offset: record.offset, length: record.length,
                        rawLength: record.rawLength))
            }
        }
        for (id, entry) in delta where entry.slot != Self.openSlot {
            try body(
                id,
                Location(pack: deltaPacks[Int(entry.slot)], offset: entry.offset, length: entry.length, rawLength: entry.rawLength))
        }
    }

    // MARK: - Changes by this process

    /// Records a chunk appended to the open pack. The caller checked `contains` first.
    mutating func insertIntoOpenPack(_ id: ChunkID, offset: UInt32, length: UInt32, rawLength: UInt32) {
        setDelta(id, DeltaLocation(slot: Self.openSlot, offset: offset, length: length, rawLength: rawLength))
    }

    /// Moves the open pack's chunks to the sealed pack `pack` (its entries carry their final offsets).
    mutating func sealOpenPack(as pack: PackID, entries: [PackEntry]) {
        let slot = slot(for: pack)
        for entry in entries {
            setDelta(
                entry.id,
                DeltaLocation(slot: slot, offset: entry.offset, length: entry.length, rawLength: entry.rawLength))
        }
    }

    /// Forgets the chunks of a pack whose upload failed (those not since stored elsewhere); returns their
    /// sealed bytes.
    mutating func removeFailedPack(_ pack: PackID, entries: [PackEntry]) -> Int64 {
        guard let slot = deltaSlots[pack] else { return 0 }
        var removed: Int64 = 0
        for entry in entries where delta[entry.id]?.slot == slot {
            removed += Int64(entry.length)
            setDelta(entry.id, nil)
        }
        return removed
    }

    /// Notes that the index file `key` (just written) names `packs`, so their entries may go to a segment.
    mutating func markIndexed(_ packs: [PackID], by key: String) {
        for pack in packs {
            let slot = slot(for: pack)
            if indexedSlots.insert(slot).inserted { indexedDeltaEntries += slotEntryCounts[Int(slot)] }
        }
        deltaIndexFiles.insert(key)
    }

    /// Whether enough delta entries are named by index files to fold them into a segment.
    var wantsMerge: Bool { !isRebuilding && indexedDeltaEntries >= max(mergeThreshold, 1) }

    private mutating func slot(for pack: PackID) -> UInt32 {
        if let slot = deltaSlots[pack] { return slot }
        let slot = UInt32(deltaPacks.count)
        deltaPacks.append(pack)
        deltaSlots[pack] = slot
        slotEntryCounts.append(0)
        return slot
    }

    private mutating func setDelta(_ id: ChunkID, _ location: DeltaLocation?) {
        if let old = delta[id] {
            deltaStoredBytes -= Int64(old.length)
            deltaPlaintextBytes -= Int64(old.rawLength)
            if old.slot != Self.openSlot {
                slotEntryCounts[Int(old.slot)] -= 1
                if indexedSlots.contains(old.slot) { indexedDeltaEntries -= 1 }
            }
        }
        delta[id] = location
        if let location {
            deltaStoredBytes += Int64(location.length)
            deltaPlaintextBytes += Int64(location.rawLength)
            if location.slot != Self.openSlot {
                slotEntryCounts[Int(location.slot)] += 1
                if indexedSlots.contains(location.slot) { indexedDeltaEntries += 1 }
            }
        }
    }

    // MARK: - Rewriting segments

    /// Rewrites segments off the owner's executor: folds indexed delta entries into a new segment and compacts,
    /// or (a repair) rebuilds every segment from the index files.
    struct RebuildJob: Sendable {
        enum Kind: Sendable {
            case merge(records: [IndexRecord], packs: [PackID], indexFiles: [String], slots: Set<UInt32>)
            /// Rebuild from every listed index file except those whose entries are in the delta.
            case repair(excludedIndexFiles: Set<String>)
        }
        let kind: Kind
        let builder: SegmentBuilder
        let segments: [IndexSegment]

        /// Builds the new segment list. Throws `IndexCacheError` for damage found on the way, or what `source` throws.
        func run(source: some IndexFileSource) async throws -> [IndexSegment] {
            switch kind {
            case .merge(let records, let packs, let indexFiles, _):
                let fresh = try builder.build(
                    [ArrayRecordStream(sorted: records)], capacity: records.count, packs: packs,
                    coveredIndexFiles: indexFiles)
                return try builder.compact(segments + [fresh])
            case .repair(let excluded):
                let names = try await source.listIndexFiles().filter { !excluded.contains($0) }.sorted()
                var spool = RecordSpool(directory: builder.folder)
                defer { spool.removeRuns() }
                var packs: [PackID] = []
                for name in names {
                    for (pack, entries) in try await source.readIndexFile(name) {
                        let number = UInt32(packs.count)
                        packs.append(pack)
                        for entry in entries { try spool.append(IndexRecord(id: entry.id, pack: number, entry: entry)) }
                    }
                }
                return [
                    try builder.build(try spool.streams(packOffset: 0), capacity: spool.count, packs: packs, coveredIndexFiles: names)
                ]
            }
        }
    }

    /// A job folding the delta's indexed entries into a segment; nil when one is already running.
    mutating func makeMergeJob() -> RebuildJob? {
        guard !isRebuilding else { return nil }
        let slots = indexedSlots
        var packs: [PackID] = []
        var numbers: [UInt32: UInt32] = [:]
        var records: [IndexRecord] = []
        records.reserveCapacity(indexedDeltaEntries)
        for (id, entry) in delta where slots.contains(entry.slot) {
            let number: UInt32
            if let known = numbers[entry.slot] {
                number = known
            } else {
                number = UInt32(packs.count)
                packs.append(deltaPacks[Int(entry.slot)])
                numbers[entry.slot] = number
            }
            records.append(
                IndexRecord(id: id, pack: number, offset: entry.offset, length: entry.length, rawLength: entry.rawLength))
        }
        records.sort(by: IndexRecord.precedes)
        isRebuilding = true
        return RebuildJob(
            kind: .merge(records: records, packs: packs, indexFiles: deltaIndexFiles.sorted(), slots: slots), builder: builder,
            segments: segments.map(\.segment))
    }

    /// A job rebuilding all segments from the index files (after damage was found); nil when one is running.
    mutating func makeRepairJob() -> RebuildJob? {
        guard !isRebuilding else { return nil }
        isRebuilding = true
        return RebuildJob(kind: .repair(excludedIndexFiles: deltaIndexFiles), builder: builder, segments: segments.map(\.segment))
    }

    /// Installs what a job built; the delta entries it folded in are dropped and replaced segments' files deleted.
    mutating func finish(_ job: RebuildJob, result: [IndexSegment]) {
        if case .merge(_, _, let indexFiles, let slots) = job.kind {
            for (id, entry) in delta where slots.contains(entry.slot) { setDelta(id, nil) }
            indexedSlots.subtract(slots)
            deltaIndexFiles.subtract(indexFiles)
        }
        SegmentBuilder.remove(job.segments.filter { old in !result.contains { $0 === old } })
        segments = result.map(SegmentState.init)
        isRebuilding = false
    }

    /// Ends a job that failed; the index keeps answering from what it had.
    mutating func abandon(_ job: RebuildJob) {
        isRebuilding = false
    }
}
