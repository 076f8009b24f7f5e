/// A fast 64-bit checksum over 8-byte words that detects damage to a cache segment (not tampering: the
/// segment is a local, disposable cache of authenticated index files).
///
/// Each step is a bijection of the state, so changing any single word always changes the result.
struct SegmentChecksum {
    private var state: UInt64 = 0x6C69_6665_626F_6174
    private var words: UInt64 = 0

    mutating func combine(_ word: UInt64) {
        state = (state ^ word) &* 0x9E37_79B9_7F4A_7C15
        state ^= state >> 29
        words &+= 1
    }

    mutating func combine(_ record: IndexRecord) {
        combine(record.w0)
        combine(record.w1)
        combine(record.w2)
        combine(record.w3)
        combine(UInt64(record.pack) | UInt64(record.offset) << 32)
        combine(UInt64(record.length) | UInt64(record.rawLength) << 32)
    }

    /// Combines `bytes`, whose count must be a multiple of 8.
    mutating func combine(_ bytes: UnsafeRawBufferPointer) {
        precondition(bytes.count % 8 == 0, "checksummed regions are whole words")
        var offset = 0
        while offset < bytes.count {
            combine(bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
            offset += 8
        }
    }

    var value: UInt64 { (state ^ words) &* 0xBF58_476D_1CE4_E5B9 }

    static func of(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
        var checksum = SegmentChecksum()
        checksum.combine(bytes)
        return checksum.value
    }
}
