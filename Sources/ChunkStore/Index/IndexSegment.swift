/// One immutable sorted run of index records (see `SegmentLayout`) with the names of the index files it covers.
///
/// Opening checks the trailer, the sizes and a checksum over the directory, filter, pack table and names (about
/// 2 bytes per chunk plus 32 per pack), but not the records: each bucket of records is checked against its own
/// checksum the first time a lookup visits it (`SegmentCursor` tracks that), so opening costs no pass over the
/// records and a damaged record is never believed.
final class IndexSegment: Sendable {
    let bytes: SegmentBytes
    /// The cache file, or nil for a segment held in memory.
    let path: String?
    let layout: SegmentLayout
    /// The `index/` object keys whose entries this segment holds, sorted.
    let coveredIndexFiles: [String]

    var recordCount: Int { layout.recordCount }

    init(bytes: SegmentBytes, path: String?) throws {
        let label = path ?? "memory"
        guard let layout = SegmentLayout(trailerOf: bytes.bytes) else {
            throw IndexCacheError.damaged(path: label, reason: "missing or damaged trailer")
        }
        let raw = bytes.bytes
        guard
            SegmentChecksum.of(UnsafeRawBufferPointer(rebasing: raw[layout.metadataRange])) == layout.metadataChecksum
        else { throw IndexCacheError.damaged(path: label, reason: "metadata checksum mismatch") }
        var previous: UInt64 = 0
        for bucket in 0...layout.bucketCount {
            let start = raw.loadUnaligned(fromByteOffset: layout.directoryOffset + bucket * 8, as: UInt64.self)
            guard start >= previous, start <= UInt64(layout.recordCount) else {
                throw IndexCacheError.damaged(path: label, reason: "bucket directory out of order")
            }
            previous = start
        }
        guard raw.loadUnaligned(fromByteOffset: layout.directoryOffset, as: UInt64.self) == 0,
            previous == UInt64(layout.recordCount)
        else { throw IndexCacheError.damaged(path: label, reason: "bucket directory does not span the records") }
        var names: [String] = []
        var offset = layout.namesOffset
        for _ in 0..<layout.nameCount {
            guard offset + 4 <= layout.trailerOffset else { throw IndexCacheError.damaged(path: label, reason: "truncated names") }
            let length = Int(raw.loadUnaligned(fromByteOffset: offset, as: UInt32.self))
            guard offset + 4 + length <= layout.trailerOffset else { throw IndexCacheError.damaged(path: label, reason: "truncated names") }
            names.append(String(decoding: raw[(offset + 4)..<(offset + 4 + length)], as: UTF8.self))
            offset += 4 + length
        }
        self.bytes = bytes
        self.path = path
        self.layout = layout
        self.coveredIndexFiles = names
    }

    /// Maps and checks the cache file at `path`.
    convenience init(mapping path: String) throws {
        try self.init(bytes: try SegmentBytes(mapping: path), path: path)
    }

    @inline(__always)
    func record(at index: Int) -> IndexRecord {
        IndexRecord(in: bytes.bytes, at: index * IndexRecord.size)
    }

    @inline(__always)
    func mayContain(w1: UInt64, w2: UInt64) -> Bool {
        ChunkFilter.mayContain(
            w1: w1, w2: w2, in: bytes.bytes, offset: layout.filterOffset, blockCount: layout.filterBlocks)
    }

    @inline(__always)
    func bucket(of w0: UInt64) -> Int { SegmentLayout.bucket(of: w0, bits: layout.bucketBits) }

    /// The record numbers of one bucket.
    @inline(__always)
    func records(inBucket bucket: Int) -> Range<Int> {
        let start = bytes.bytes.loadUnaligned(fromByteOffset: layout.directoryOffset + bucket * 8, as: UInt64.self)
        let end = bytes.bytes.loadUnaligned(fromByteOffset: layout.directoryOffset + (bucket + 1) * 8, as: UInt64.self)
        return Int(start)..<Int(end)
    }

    /// Whether a bucket's records match the checksum recorded for them when the segment was written.
    func bucketIsIntact(_ bucket: Int) -> Bool {
        var checksum = SegmentChecksum()
        let range = records(inBucket: bucket)
        for index in range {
            let record = record(at: index)
            guard SegmentLayout.bucket(of: record.w0, bits: layout.bucketBits) == bucket else { return false }
            checksum.combine(record)
        }
        let stored = bytes.bytes.loadUnaligned(fromByteOffset: layout.checksumsOffset + bucket * 8, as: UInt64.self)
        return checksum.value == stored
    }

    /// Binary search for an id within one bucket's records.
    @inline(__always)
    func find(_ w0: UInt64, _ w1: UInt64, _ w2: UInt64, _ w3: UInt64, in range: Range<Int>) -> IndexRecord? {
        var low = range.lowerBound
        var high = range.upperBound
        let key = (w0, w1, w2, w3)
        while low < high {
            let middle = (low + high) / 2
            let record = record(at: middle)
            let candidate = (record.w0, record.w1, record.w2, record.w3)
            if candidate < key {
                low = middle + 1
            } else if candidate == key {
                return record
            } else {
                high = middle
            }
        }
        return nil
    }

    func packID(_ number: UInt32) -> PackID {
        let offset = layout.packsOffset + Int(number) * 32
        let raw = bytes.bytes
        return PackID(
            digest: Digest32(
                words: raw.loadUnaligned(fromByteOffset: offset, as: UInt64.self),
                raw.loadUnaligned(fromByteOffset: offset + 8, as: UInt64.self),
                raw.loadUnaligned(fromByteOffset: offset + 16, as: UInt64.self),
                raw.loadUnaligned(fromByteOffset: offset + 24, as: UInt64.self)))
    }

    /// The pack table in number order (materialized only while a merge builds a new segment).
    func packIDs() -> [PackID] { (0..<layout.packCount).map { packID(UInt32($0)) } }
}
