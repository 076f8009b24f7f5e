#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A source of records in id order for a merge; `packOffset` renumbers its packs into the merged pack table.
protocol RecordStream: AnyObject {
    func next() throws -> IndexRecord?
}

/// Records of an in-memory sorted array.
final class ArrayRecordStream: RecordStream {
    private let records: [IndexRecord]
    private let packOffset: UInt32
    private var position = 0

    init(sorted records: [IndexRecord], packOffset: UInt32 = 0) {
        self.records = records
        self.packOffset = packOffset
    }

    func next() throws -> IndexRecord? {
        guard position < records.count else { return nil }
        var record = records[position]
        position += 1
        record.pack += packOffset
        return record
    }
}

/// Records of an existing segment, each bucket checked against its checksum before any of its records is used.
final class SegmentRecordStream: RecordStream {
    private let segment: IndexSegment
    private let packOffset: UInt32
    private var bucket = 0
    private var range: Range<Int> = 0..<0

    init(_ segment: IndexSegment, packOffset: UInt32) {
        self.segment = segment
        self.packOffset = packOffset
    }

    func next() throws -> IndexRecord? {
        while range.isEmpty {
            guard bucket < segment.layout.bucketCount else { return nil }
            guard segment.bucketIsIntact(bucket) else {
                throw IndexCacheError.damaged(path: segment.path ?? "memory", reason: "records of bucket \(bucket) do not match their checksum")
            }
            range = segment.records(inBucket: bucket)
            bucket += 1
        }
        var record = segment.record(at: range.lowerBound)
        range = (range.lowerBound + 1)..<range.upperBound
        guard Int(record.pack) < segment.layout.packCount else {
            throw IndexCacheError.damaged(path: segment.path ?? "memory", reason: "pack number out of range")
        }
        record.pack += packOffset
        return record
    }
}

/// Records of a sorted run spilled to a temporary file, read back 4096 at a time.
final class RunFileRecordStream: RecordStream {
    private let path: String
    private let descriptor: Int32
    private var buffer: [IndexRecord] = []
    private var position = 0
    private var fileOffset = 0
    private var remaining: Int

    init(path: String, count: Int) throws {
        self.path = path
        descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw IndexCacheError.unreadable(path: path, errno: errno) }
        remaining = count
    }

    deinit { close(descriptor) }

    func next() throws -> IndexRecord? {
        if position == buffer.count {
            guard remaining > 0 else { return nil }
            let batch = min(remaining, 4096)
            buffer = [IndexRecord](
                unsafeUninitializedCapacity: batch,
                initializingWith: { storage, initialized in
                    let bytes = UnsafeMutableRawBufferPointer(storage)
                    var read = 0
                    while read < bytes.count {
                        let result = pread(descriptor, bytes.baseAddress! + read, bytes.count - read, off_t(fileOffset + read))
                        if result < 0 && errno == EINTR { continue }
                        guard result > 0 else { break }
                        read += result
                    }
                    initialized = read / IndexRecord.size
                })
            guard buffer.count == batch else { throw IndexCacheError.damaged(path: path, reason: "sorted run ended early") }
            fileOffset += batch * IndexRecord.size
            remaining -= batch
            position = 0
        }
        defer { position += 1 }
        return buffer[position]
    }
}
