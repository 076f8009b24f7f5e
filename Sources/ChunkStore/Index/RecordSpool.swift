import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Collects records in any order and hands them back as sorted streams: an external sort, so that building a
/// segment for 100 million chunks holds one run (`runCapacity` records, 24 MiB by default) in memory, not all.
///
/// Without a directory (in-memory index) nothing is spilled. Run files are deleted by `removeRuns()`.
struct RecordSpool {
    static let defaultRunCapacity = 512 * 1024

    private let directory: String?
    private let runCapacity: Int
    private var pending: [IndexRecord] = []
    private(set) var runs: [(path: String, count: Int)] = []
    private(set) var count = 0

    init(directory: String?, runCapacity: Int = Self.defaultRunCapacity) {
        self.directory = directory
        self.runCapacity = max(1, runCapacity)
    }

    mutating func append(_ record: IndexRecord) throws {
        pending.append(record)
        count += 1
        if directory != nil && pending.count >= runCapacity { try spill() }
    }

    private mutating func spill() throws {
        guard let directory, !pending.isEmpty else { return }
        pending.sort(by: IndexRecord.precedes)
        try SegmentBuilder.makeFolder(directory)
        let path = directory + "/.run-" + UUID().uuidString
        var sink = try FileSegmentSink(creating: path)
        do {
            try pending.withUnsafeBytes { bytes in try sink.write(bytes) }
            try sink.finish()
        } catch {
            sink.abandon()
            unlink(path)
            throw error
        }
        runs.append((path, pending.count))
        pending.removeAll(keepingCapacity: true)
    }

    /// Whether the records have been spilled to disk (too many to keep in memory).
    var hasSpilled: Bool { !runs.isEmpty }

    /// The records still in memory, sorted (all of them when nothing was spilled).
    mutating func sortedPending() -> [IndexRecord] {
        pending.sort(by: IndexRecord.precedes)
        return pending
    }

    /// One sorted stream per run plus one for the records still in memory; pack numbers shifted by `packOffset`.
    mutating func streams(packOffset: UInt32) throws -> [any RecordStream] {
        var streams: [any RecordStream] = [ArrayRecordStream(sorted: sortedPending(), packOffset: packOffset)]
        for run in runs {
            streams.append(ShiftedRecordStream(try RunFileRecordStream(path: run.path, count: run.count), packOffset: packOffset))
        }
        return streams
    }

    func removeRuns() {
        for run in runs { unlink(run.path) }
    }
}

/// Renumbers another stream's packs.
final class ShiftedRecordStream: RecordStream {
    private let base: any RecordStream
    private let packOffset: UInt32

    init(_ base: any RecordStream, packOffset: UInt32) {
        self.base = base
        self.packOffset = packOffset
    }

    func next() throws -> IndexRecord? {
        guard var record = try base.next() else { return nil }
        record.pack += packOffset
        return record
    }
}
