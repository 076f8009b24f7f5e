/// Streams records, in strictly increasing id order, into a segment: records go to the sink as they come,
/// while the bucket directory, bucket checksums and filter (about 1.75 bytes per record) build up in memory
/// and are written by `finish` with the pack table, the covered names and the trailer.
struct SegmentWriter<Sink: SegmentSink> {
    private(set) var sink: Sink
    private let bucketBits: Int
    private var starts: [UInt64]
    private var checksums: [UInt64]
    private var filter: [UInt64]
    private var currentBucket = 0
    private var checksum = SegmentChecksum()
    private var count = 0
    private var storedBytes: Int64 = 0
    private var plaintextBytes: Int64 = 0
    private var last: IndexRecord?

    /// `capacity` bounds the number of records (it sizes the directory and filter).
    init(sink: Sink, capacity: Int, bitsPerChunk: Int = ChunkFilter.defaultBitsPerChunk) {
        self.sink = sink
        bucketBits = SegmentLayout.bucketBits(forCapacity: capacity)
        starts = [UInt64](repeating: 0, count: (1 << bucketBits) + 1)
        checksums = [UInt64](repeating: 0, count: 1 << bucketBits)
        filter = [UInt64](
            repeating: 0,
            count: ChunkFilter.blockCount(chunks: capacity, bitsPerChunk: bitsPerChunk) * ChunkFilter.wordsPerBlock)
    }

    var recordCount: Int { count }

    mutating func append(_ record: IndexRecord) throws {
        if let last, !IndexRecord.precedes(last, record) || last.hasSameID(as: record) {
            throw IndexCacheError.damaged(path: "merge input", reason: "records out of order")
        }
        let bucket = SegmentLayout.bucket(of: record.w0, bits: bucketBits)
        while currentBucket < bucket { closeBucket() }
        checksum.combine(record)
        ChunkFilter.insert(record, into: &filter)
        count += 1
        storedBytes += Int64(record.length)
        plaintextBytes += Int64(record.rawLength)
        last = record
        try withUnsafeBytes(of: record) { bytes in try sink.write(bytes) }
    }

    private mutating func closeBucket() {
        checksums[currentBucket] = checksum.value
        checksum = SegmentChecksum()
        currentBucket += 1
        starts[currentBucket] = UInt64(count)
    }

    /// Writes everything after the records; returns the layout written.
    mutating func finish(packs: [PackID], coveredIndexFiles: [String]) throws -> SegmentLayout {
        while currentBucket < checksums.count - 1 { closeBucket() }
        checksums[currentBucket] = checksum.value
        starts[checksums.count] = UInt64(count)
        var metadata = SegmentChecksum()
        var packWords: [UInt64] = []
        packWords.reserveCapacity(packs.count * 4)
        for pack in packs { packWords += [pack.digest.w0, pack.digest.w1, pack.digest.w2, pack.digest.w3] }
        var names: [UInt8] = []
        for name in coveredIndexFiles.sorted() {
            let utf8 = Array(name.utf8)
            withUnsafeBytes(of: UInt32(utf8.count)) { names.append(contentsOf: $0) }
            names += utf8
        }
        names += [UInt8](repeating: 0, count: (8 - names.count % 8) % 8)
        for section in [starts, checksums, filter, packWords] {
            try section.withUnsafeBytes { bytes in
                metadata.combine(bytes)
                try sink.write(bytes)
            }
        }
        try names.withUnsafeBytes { bytes in
            metadata.combine(bytes)
            try sink.write(bytes)
        }
        let layout = SegmentLayout(
            recordCount: count, bucketBits: bucketBits, filterBlocks: filter.count / ChunkFilter.wordsPerBlock,
            packCount: packs.count, nameCount: coveredIndexFiles.count, namesBytes: names.count,
            storedBytes: storedBytes, plaintextBytes: plaintextBytes, metadataChecksum: metadata.value)
        try layout.trailer.withUnsafeBytes { bytes in try sink.write(bytes) }
        return layout
    }
}
