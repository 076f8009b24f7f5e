import Foundation
import NIOCore

/// A ZIP archive of `entries`, produced as a stream of buffers while it is read: the archive is never in memory.
///
/// Pull-based: each `next()` pulls at most one buffer from the current entry's content (or asks `entries` for
/// the next entry) and passes it on, so however slow the consumer, the writer holds one buffer of content plus
/// small headers. Content buffers are passed through without copying, so output buffers are as large as the
/// content's buffers; headers and the central directory come in buffers of about 64 KiB at most.
///
/// The one part that grows with the archive is the central directory, which ZIP puts at the end and which is
/// kept in memory until then: about 100 bytes plus the path's UTF-8 length per entry (roughly 150 MB for a
/// million entries with 50-byte paths), and nothing per byte of content.
///
/// Format (APPNOTE 6.3): entries are *stored* (method 0, no compression), because exported content is mostly
/// Office documents, PDFs and JPEGs that are already compressed and would not shrink, and storing keeps the
/// writer cheap. Names are UTF-8 (flag bit 11). Sizes and CRC-32 are unknown when an entry starts, so entries
/// with content set flag bit 3 and follow their data with a data descriptor; their local header always carries
/// a ZIP64 extra field, so the descriptor always has 8-byte sizes, whatever the size. The central directory
/// uses ZIP64 fields only where a size or offset does not fit 32 bits, and a ZIP64 end-of-central-directory
/// record and locator are added when there are 65,535 or more entries or the directory starts beyond or spans
/// 4 GiB. Each entry also gets an extended timestamp (0x5455) and Unix permissions (0644 files, 0755 directories).
///
/// Iteration throws the first error of `entries` or of an entry's content, and `ZipArchiveError` for a path
/// that is unsafe to extract; after an error the stream ends, so a consumer never mistakes a truncated archive
/// for a complete one as long as it treats the error as fatal. Iterate once.
public struct ZipArchiveWriter<Entries: AsyncSequence & Sendable>: AsyncSequence, Sendable
where Entries.Element == ZipEntry {
    /// Consecutive pieces of the archive; concatenated they are the `.zip` file.
    public typealias Element = ByteBuffer
    /// Errors from `entries`, from entry content, or `ZipArchiveError`.
    public typealias Failure = any Error

    private let entries: Entries
    private let zip64Threshold: UInt64

    /// An archive of `entries`, in the order the sequence yields them; nothing happens until iteration starts.
    public init(_ entries: Entries) {
        self.init(entries, zip64Threshold: ZipFormat.limit32)
    }

    /// Lets tests reach the ZIP64 paths without writing 4 GiB: sizes and offsets at or above `zip64Threshold`
    /// are written as ZIP64 (the format's limit is 0xFFFF_FFFF).
    init(_ entries: Entries, zip64Threshold: UInt64) {
        self.entries = entries
        self.zip64Threshold = Swift.min(zip64Threshold, ZipFormat.limit32)
    }

    /// Starts the archive; call once, since `entries` and entry content are typically single-pass.
    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(entries: entries.makeAsyncIterator(), zip64Threshold: zip64Threshold)
    }

    /// Produces the archive's buffers; see `ZipArchiveWriter`.
    public struct AsyncIterator: AsyncIteratorProtocol {
        private enum Phase {
            case entries
            case content(any AsyncIteratorProtocol<ByteBuffer, any Error>)
            case centralDirectory(next: Int)
            case finished
        }

        private var entries: Entries.AsyncIterator
        private let zip64Threshold: UInt64
        private let allocator = ByteBufferAllocator()
        private var phase = Phase.entries
        /// Bytes produced so far, i.e. the offset of the next byte.
        private var offset: UInt64 = 0
        private var records: [ZipFormat.CentralRecord] = []
        /// The entry whose content is being streamed, with its running CRC and size.
        private var current: ZipFormat.CentralRecord?
        private var crc = CRC32()
        /// Where the central directory starts, once the last entry is written.
        private var directoryOffset: UInt64 = 0

        fileprivate init(entries: Entries.AsyncIterator, zip64Threshold: UInt64) {
            self.entries = entries
            self.zip64Threshold = zip64Threshold
        }

        /// The next part of the archive, or nil after the end of central directory record.
        public mutating func next() async throws -> ByteBuffer? {
            try await next(isolation: nil)
        }

        /// The next part of the archive, or nil after the end of central directory record.
        public mutating func next(isolation actor: isolated (any Actor)?) async throws -> ByteBuffer? {
            do {
                return try await advance(isolation: actor)
            } catch {
                phase = .finished
                records = []
                throw error
            }
        }

        private mutating func advance(isolation actor: isolated (any Actor)?) async throws -> ByteBuffer? {
            while true {
                switch phase {
                case .entries:
                    try Task.checkCancellation()
                    guard let entry = try await entries.next(isolation: actor) else {
                        directoryOffset = offset
                        phase = .centralDirectory(next: 0)
                        continue
                    }
                    return try start(entry)

                case .content(var content):
                    // Drop the phase's reference while iterating so the iterator is not copied on write.
                    phase = .finished
                    guard let buffer = try await content.next(isolation: actor) else {
                        return finishContent()
                    }
                    phase = .content(content)
                    guard buffer.readableBytes > 0 else { continue }
                    crc.update(buffer)
                    current!.size += UInt64(buffer.readableBytes)
                    offset += UInt64(buffer.readableBytes)
                    return buffer

                case .centralDirectory(let next):
                    return writeCentralDirectory(from: next)

                case .finished:
                    return nil
                }
            }
        }

        private mutating func start(_ entry: ZipEntry) throws -> ByteBuffer {
            let name = try entry.archiveName()
            let content = entry.isDirectory ? nil : entry.content
            var record = ZipFormat.CentralRecord(
                name: name,
                modified: entry.modified,
                isDirectory: entry.isDirectory,
                hasDataDescriptor: content != nil,
                offset: offset
            )
            var buffer = allocator.buffer(capacity: ZipFormat.localHeaderSize(record))
            ZipFormat.writeLocalHeader(record, to: &buffer)
            offset += UInt64(buffer.readableBytes)
            if let content {
                record.size = 0
                current = record
                crc = CRC32()
                phase = .content(Self.iterator(of: content))
            } else {
                records.append(record)
            }
            return buffer
        }

        private mutating func finishContent() -> ByteBuffer {
            var record = current!
            current = nil
            record.crc = crc.checksum
            var buffer = allocator.buffer(capacity: ZipFormat.dataDescriptorSize)
            ZipFormat.writeDataDescriptor(record, to: &buffer)
            offset += UInt64(buffer.readableBytes)
            records.append(record)
            phase = .entries
            return buffer
        }

        private mutating func writeCentralDirectory(from first: Int) -> ByteBuffer {
            let chunkLimit = 64 * 1024
            var buffer = allocator.buffer(capacity: chunkLimit)
            var index = first
            // A chunk ends after the header that crosses the limit, so it stays under 64 KiB plus one header.
            while index < records.count, buffer.readableBytes < chunkLimit {
                ZipFormat.writeCentralHeader(records[index], zip64Threshold: zip64Threshold, to: &buffer)
                index += 1
            }
            if index < records.count {
                offset += UInt64(buffer.readableBytes)
                phase = .centralDirectory(next: index)
                return buffer
            }
            let directoryEnd = offset + UInt64(buffer.readableBytes)
            ZipFormat.writeEnd(
                entryCount: UInt64(records.count),
                directoryOffset: directoryOffset,
                directorySize: directoryEnd - directoryOffset,
                zip64Threshold: zip64Threshold,
                to: &buffer
            )
            offset += UInt64(buffer.readableBytes)
            records = []
            phase = .finished
            return buffer
        }

        private static func iterator<Content: AsyncSequence<ByteBuffer, any Error>>(
            of content: Content
        ) -> any AsyncIteratorProtocol<ByteBuffer, any Error> {
            content.makeAsyncIterator()
        }
    }
}
