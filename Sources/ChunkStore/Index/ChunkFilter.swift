/// A split-block Bloom filter over chunk ids: each id sets one bit in each of the eight words of one 64-byte
/// block, so a query touches a single cache line.
///
/// Chunk ids are keyed HMACs, already uniformly random, so their words serve as the hash values directly.
/// A "no" is certain; a "maybe" is wrong with a probability that falls with `bitsPerChunk` (measured by
/// `bench/index`). Only the answer "maybe" sends a lookup to the sorted records.
struct ChunkFilter {
    /// Default size: 12 bits (1.5 bytes) per chunk.
    static let defaultBitsPerChunk = 12
    static let wordsPerBlock = 8

    /// Blocks needed for `chunks` ids at `bitsPerChunk` bits each (at least one).
    static func blockCount(chunks: Int, bitsPerChunk: Int) -> Int {
        max(1, (chunks * bitsPerChunk + 511) / 512)
    }

    @inline(__always)
    static func block(w1: UInt64, blockCount: Int) -> Int {
        Int(truncatingIfNeeded: w1.multipliedFullWidth(by: UInt64(blockCount)).high)
    }

    @inline(__always)
    static func bit(w2: UInt64, lane: Int) -> UInt64 {
        1 << ((w2 >> UInt64(lane * 8)) & 63)
    }

    /// Adds an id to filter words being built.
    static func insert(_ record: IndexRecord, into words: inout [UInt64]) {
        let blocks = words.count / wordsPerBlock
        let base = block(w1: record.w1, blockCount: blocks) * wordsPerBlock
        for lane in 0..<wordsPerBlock {
            words[base + lane] |= bit(w2: record.w2, lane: lane)
        }
    }

    /// Whether the id may be among those inserted into `words` (`blockCount` blocks starting at byte `offset`).
    @inline(__always)
    static func mayContain(
        w1: UInt64, w2: UInt64, in bytes: UnsafeRawBufferPointer, offset: Int, blockCount: Int
    ) -> Bool {
        let base = offset + block(w1: w1, blockCount: blockCount) * wordsPerBlock * 8
        for lane in 0..<wordsPerBlock {
            let word = bytes.loadUnaligned(fromByteOffset: base + lane * 8, as: UInt64.self)
            if word & bit(w2: w2, lane: lane) == 0 { return false }
        }
        return true
    }
}
