import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes new segments (to a cache folder, or to memory) and keeps their number small by merging segments of
/// similar size, as a log-structured merge tree does: each record is rewritten about log₄(n / threshold) times.
struct SegmentBuilder: Sendable {
    /// The cache folder, or nil to keep segments in memory.
    let folder: String?
    let bitsPerChunk: Int
    /// Above this many segments the two smallest are merged regardless of their sizes.
    static let maximumSegments = 8
    static let fileExtension = ".segment"

    /// Writes one segment from sorted streams (`capacity` bounds their total) and opens it.
    ///
    /// Files are written under a hidden temporary name, fsynced, then renamed: a reader never sees half a file.
    func build(
        _ streams: [any RecordStream], capacity: Int, packs: [PackID], coveredIndexFiles: [String]
    ) throws -> IndexSegment {
        guard let folder else {
            // Records, plus about 2 bytes a record of directory and filter, plus the pack table and names.
            let expected = capacity * (IndexRecord.size + 4) + packs.count * 32 + 65_536
            let sink = MemorySegmentSink(reserving: expected)
            var writer = SegmentWriter(sink: sink, capacity: capacity, bitsPerChunk: bitsPerChunk)
            try RecordMerge.merge(streams, into: &writer)
            _ = try writer.finish(packs: packs, coveredIndexFiles: coveredIndexFiles)
            return try IndexSegment(bytes: SegmentBytes(adopting: sink), path: nil)
        }
        try Self.makeFolder(folder)
        let name = UUID().uuidString.lowercased()
        let temporary = folder + "/.tmp-" + name
        let final = folder + "/" + name + Self.fileExtension
        var writer = SegmentWriter(sink: try FileSegmentSink(creating: temporary), capacity: capacity, bitsPerChunk: bitsPerChunk)
        do {
            try RecordMerge.merge(streams, into: &writer)
            _ = try writer.finish(packs: packs, coveredIndexFiles: coveredIndexFiles)
        } catch {
            writer.sink.abandon()
            unlink(temporary)
            throw error
        }
        do {
            var sink = writer.sink
            try sink.finish()
        } catch {
            unlink(temporary)
            throw error
        }
        guard rename(temporary, final) == 0 else {
            let code = errno
            unlink(temporary)
            throw IndexCacheError.unreadable(path: final, errno: code)
        }
        return try IndexSegment(mapping: final)
    }

    /// Merges segments into one: pack tables concatenated, records deduplicated by id, names united.
    func merge(_ segments: [IndexSegment]) throws -> IndexSegment {
        var streams: [any RecordStream] = []
        var packs: [PackID] = []
        var names: [String] = []
        for segment in segments {
            streams.append(SegmentRecordStream(segment, packOffset: UInt32(packs.count)))
            packs += segment.packIDs()
            names += segment.coveredIndexFiles
        }
        return try build(
            streams, capacity: segments.reduce(0) { $0 + $1.recordCount }, packs: packs, coveredIndexFiles: names)
    }

    /// Merges the smallest segments while the two smallest are within a factor of 4 of each other (or there are
    /// too many); returns the new list, largest first. Merged-away segments' files are left to the caller.
    func compact(_ segments: [IndexSegment]) throws -> [IndexSegment] {
        var list = segments.sorted { $0.recordCount > $1.recordCount }
        while list.count >= 2 {
            let smallest = list[list.count - 1]
            let next = list[list.count - 2]
            guard list.count > Self.maximumSegments || next.recordCount <= 4 * max(smallest.recordCount, 1) else { break }
            let merged = try merge([next, smallest])
            list.removeLast(2)
            list.append(merged)
            list.sort { $0.recordCount > $1.recordCount }
        }
        return list
    }

    static func makeFolder(_ folder: String) throws {
        do {
            try FileManager.default.createDirectory(
                atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw IndexCacheError.unreadable(path: folder, errno: EACCES)
        }
    }

    /// Opens every segment file in the folder; damaged or unreadable ones are deleted, and so are temporary
    /// files more than an hour old (left by a process that died while building; younger ones may be in use).
    func openCachedSegments() -> [IndexSegment] {
        guard let folder, let names = try? FileManager.default.contentsOfDirectory(atPath: folder) else { return [] }
        for name in names where name.hasPrefix(".tmp-") || name.hasPrefix(".run-") {
            let path = folder + "/" + name
            let modified = (try? FileManager.default.attributesOfItem(atPath: path))?[.modificationDate] as? Date
            if let modified, modified.timeIntervalSinceNow < -3600 { unlink(path) }
        }
        var segments: [IndexSegment] = []
        for name in names where name.hasSuffix(Self.fileExtension) && !name.hasPrefix(".") {
            let path = folder + "/" + name
            do {
                segments.append(try IndexSegment(mapping: path))
            } catch {
                unlink(path)
            }
        }
        return segments
    }

    /// Deletes the files of segments no longer in use. Other processes that mapped them keep their mappings.
    static func remove(_ segments: [IndexSegment]) {
        for segment in segments {
            if let path = segment.path { unlink(path) }
        }
    }
}
