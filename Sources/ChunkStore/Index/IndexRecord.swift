/// One chunk's entry in an index segment: its full 32-byte id and where it lives, 48 bytes, ordered by id.
///
/// The whole id is kept (not a prefix) so that `contains` can never claim a chunk that is not stored: a false
/// "present" would silently drop data from a backup. The pack is a number into the segment's pack table.
struct IndexRecord: Sendable, Equatable {
    var w0: UInt64
    var w1: UInt64
    var w2: UInt64
    var w3: UInt64
    var pack: UInt32
    var offset: UInt32
    var length: UInt32
    var rawLength: UInt32

    /// Bytes per record in memory and on disk (four id words, four 32-bit fields, no padding).
    static let size = 48

    init(id: ChunkID, pack: UInt32, offset: UInt32, length: UInt32, rawLength: UInt32) {
        (w0, w1, w2, w3) = (id.digest.w0, id.digest.w1, id.digest.w2, id.digest.w3)
        self.pack = pack
        self.offset = offset
        self.length = length
        self.rawLength = rawLength
    }

    init(id: ChunkID, pack: UInt32, entry: PackEntry) {
        self.init(id: id, pack: pack, offset: entry.offset, length: entry.length, rawLength: entry.rawLength)
    }

    /// Reads the record at `byteOffset` of a segment's bytes.
    init(in bytes: UnsafeRawBufferPointer, at byteOffset: Int) {
        self = bytes.loadUnaligned(fromByteOffset: byteOffset, as: IndexRecord.self)
    }

    var id: ChunkID { ChunkID(digest: Digest32(words: w0, w1, w2, w3)) }

    /// Orders by id, then by pack number so that, among duplicates, the earliest-registered pack sorts first.
    static func precedes(_ lhs: IndexRecord, _ rhs: IndexRecord) -> Bool {
        (lhs.w0, lhs.w1, lhs.w2, lhs.w3, lhs.pack) < (rhs.w0, rhs.w1, rhs.w2, rhs.w3, rhs.pack)
    }

    func hasSameID(as other: IndexRecord) -> Bool {
        w0 == other.w0 && w1 == other.w1 && w2 == other.w2 && w3 == other.w3
    }
}

extension Digest32 {
    /// Creates a digest from its four big-endian words.
    init(words w0: UInt64, _ w1: UInt64, _ w2: UInt64, _ w3: UInt64) {
        (self.w0, self.w1, self.w2, self.w3) = (w0, w1, w2, w3)
    }
}
