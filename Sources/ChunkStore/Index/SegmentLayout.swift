/// Where each section of an index segment lies. The file is written front to back and described by a
/// fixed-size trailer at its end (native byte order; the magic number rejects files from another byte order):
///
/// records (48 bytes each, sorted by id) · bucket directory ((buckets + 1) record numbers) · bucket checksums ·
/// filter blocks (64 bytes each) · pack table (32-byte pack ids; a record's pack number indexes it) ·
/// names of the covered index files (UInt32 length + UTF-8 each, padded to 8 bytes) · trailer (16 words).
struct SegmentLayout: Sendable, Equatable {
    static let magic: UInt64 = 0x4C42_4958_5345_4731  // "LBIXSEG1"
    static let version: UInt64 = 1
    static let trailerWords = 16
    static let trailerSize = trailerWords * 8
    /// Average records per bucket the directory aims for: one bucket spans about three 4 KiB pages at most.
    static let recordsPerBucket = 64

    var recordCount: Int
    var bucketBits: Int
    var filterBlocks: Int
    var packCount: Int
    var nameCount: Int
    var namesBytes: Int
    var storedBytes: Int64
    var plaintextBytes: Int64
    var metadataChecksum: UInt64

    var bucketCount: Int { 1 << bucketBits }
    var directoryOffset: Int { recordCount * IndexRecord.size }
    var checksumsOffset: Int { directoryOffset + (bucketCount + 1) * 8 }
    var filterOffset: Int { checksumsOffset + bucketCount * 8 }
    var packsOffset: Int { filterOffset + filterBlocks * ChunkFilter.wordsPerBlock * 8 }
    var namesOffset: Int { packsOffset + packCount * 32 }
    var trailerOffset: Int { namesOffset + namesBytes }
    var fileSize: Int { trailerOffset + Self.trailerSize }
    /// The sections the metadata checksum covers (everything between the records and the trailer).
    var metadataRange: Range<Int> { directoryOffset..<trailerOffset }

    /// Directory bits for about `recordsPerBucket` records per bucket, given an upper bound on the record count.
    static func bucketBits(forCapacity capacity: Int) -> Int {
        var bits = 0
        while bits < 40 && (capacity >> (bits + 1)) >= recordsPerBucket { bits += 1 }
        return bits
    }

    @inline(__always)
    static func bucket(of w0: UInt64, bits: Int) -> Int {
        bits == 0 ? 0 : Int(truncatingIfNeeded: w0 >> UInt64(64 - bits))
    }

    var trailer: [UInt64] {
        var words: [UInt64] = [
            Self.magic, Self.version, UInt64(recordCount), UInt64(bucketBits), UInt64(filterBlocks), UInt64(packCount),
            UInt64(nameCount), UInt64(namesBytes), UInt64(bitPattern: storedBytes), UInt64(bitPattern: plaintextBytes),
            metadataChecksum, 0, 0, 0, 0,
        ]
        words.append(words.withUnsafeBytes { SegmentChecksum.of($0) })
        return words
    }

    /// Reads and checks the trailer at the end of `bytes`; nil when it is missing, damaged or from another format.
    init?(trailerOf bytes: UnsafeRawBufferPointer) {
        guard bytes.count >= Self.trailerSize else { return nil }
        let start = bytes.count - Self.trailerSize
        let words = (0..<Self.trailerWords).map { bytes.loadUnaligned(fromByteOffset: start + $0 * 8, as: UInt64.self) }
        guard words[0] == Self.magic, words[1] == Self.version,
            words[..<15].withUnsafeBytes({ SegmentChecksum.of($0) }) == words[15],
            words[3] <= 40, words[2] < 1 << 40, words[4] < 1 << 40, words[5] < 1 << 32, words[6] < 1 << 32,
            words[7] < 1 << 40
        else { return nil }
        self.init(
            recordCount: Int(words[2]), bucketBits: Int(words[3]), filterBlocks: Int(words[4]), packCount: Int(words[5]),
            nameCount: Int(words[6]), namesBytes: Int(words[7]), storedBytes: Int64(bitPattern: words[8]),
            plaintextBytes: Int64(bitPattern: words[9]), metadataChecksum: words[10])
        guard fileSize == bytes.count, filterBlocks >= 1 else { return nil }
    }

    init(
        recordCount: Int, bucketBits: Int, filterBlocks: Int, packCount: Int, nameCount: Int, namesBytes: Int,
        storedBytes: Int64, plaintextBytes: Int64, metadataChecksum: UInt64
    ) {
        self.recordCount = recordCount
        self.bucketBits = bucketBits
        self.filterBlocks = filterBlocks
        self.packCount = packCount
        self.nameCount = nameCount
        self.namesBytes = namesBytes
        self.storedBytes = storedBytes
        self.plaintextBytes = plaintextBytes
        self.metadataChecksum = metadataChecksum
    }
}
