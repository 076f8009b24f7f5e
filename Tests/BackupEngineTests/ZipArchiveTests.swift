@testable import BackupEngine
import Crypto
import Foundation
import LifeboatTestSupport
import NIOCore
import SeededRandom
import Synchronization
import Testing

@Suite("ZIP archive writer")
struct ZipArchiveTests {
    // MARK: CRC-32

    @Test(
        "CRC-32 matches the published check values",
        arguments: [
            ("", 0x0000_0000),
            ("a", 0xE8B7_BE43),
            ("abc", 0x3524_41C2),
            ("123456789", 0xCBF4_3926),
            ("The quick brown fox jumps over the lazy dog", 0x414F_A339),
        ] as [(String, UInt32)]
    )
    func crcVectors(input: String, expected: UInt32) {
        #expect(CRC32.checksum(Array(input.utf8)) == expected)
    }

    @Test("CRC-32 fed in random pieces equals a bit-at-a-time reference")
    func crcIncremental() {
        var random = SplitMix64(seed: 0xC0FFEE)
        var mismatchedLengths: [Int] = []
        for _ in 0..<200 {
            let bytes = random.bytes(count: Int.random(in: 0...300, using: &random))
            var crc = CRC32()
            var start = 0
            while start < bytes.count {
                let end = min(bytes.count, start + Int.random(in: 0...20, using: &random))
                crc.update(bytes[start..<end])
                start = end
            }
            if crc.checksum != referenceCRC32(bytes) { mismatchedLengths.append(bytes.count) }
        }
        #expect(mismatchedLengths.isEmpty)
    }

    // MARK: Paths and times

    @Test(
        "paths that could escape the extraction directory are rejected",
        arguments: ["../evil.txt", "a/../../b", "a/..", "/etc/passwd", "\\\\server\\share", "..\\x", "C:/Windows/x", "c:x",
                    "", "/", "./.", "a\0b"]
    )
    func unsafePathsAreRejected(path: String) async throws {
        let writer = ZipArchiveWriter(EntryList([ZipEntry(path: path, modified: .now)]))
        var received = 0
        await #expect(throws: ZipArchiveError.unsafePath(path)) {
            for try await buffer in writer { received += buffer.readableBytes }
        }
        #expect(received == 0)
    }

    @Test(
        "harmless path spellings are normalized",
        arguments: [
            ("docs/report.pdf", false, "docs/report.pdf"),
            ("docs\\sub\\report.pdf", false, "docs/sub/report.pdf"),
            ("./docs//report.pdf", false, "docs/report.pdf"),
            ("docs/./a..b.txt", false, "docs/a..b.txt"),
            ("docs/", false, "docs"),
            ("docs", true, "docs/"),
            ("docs/sub/", true, "docs/sub/"),
            ("Ünïcödé/日本語 📦.txt", false, "Ünïcödé/日本語 📦.txt"),
        ] as [(String, Bool, String)]
    )
    func pathsAreNormalized(path: String, isDirectory: Bool, expected: String) throws {
        #expect(try ZipEntry(path: path, modified: .now, isDirectory: isDirectory).archiveName() == expected)
    }

    @Test(
        "MS-DOS times are UTC and clamped to 1980...2107",
        arguments: [
            (1_709_214_331, 44 << 9 | 2 << 5 | 29, 13 << 11 | 45 << 5 | 15),  // 2024-02-29T13:45:31Z
            (0, 0 << 9 | 1 << 5 | 1, 0),  // 1970: clamped to 1980-01-01 00:00:00
            (7_258_118_400, 127 << 9 | 12 << 5 | 31, 23 << 11 | 59 << 5 | 29),  // 2200: clamped to 2107-12-31 23:59:58
        ] as [(Int, UInt16, UInt16)]
    )
    func dosTimes(secondsSince1970: Int, date: UInt16, time: UInt16) {
        let converted = ZipFormat.dosDateTime(Date(timeIntervalSince1970: Double(secondsSince1970)))
        #expect(converted.date == date)
        #expect(converted.time == time)
    }

    @Test("extended timestamps are clamped to 1970...2038")
    func unixTimes() {
        #expect(ZipFormat.unixTime(Date(timeIntervalSince1970: -5)) == 0)
        #expect(ZipFormat.unixTime(Date(timeIntervalSince1970: 1_709_214_331.9)) == 1_709_214_331)
        #expect(ZipFormat.unixTime(Date(timeIntervalSince1970: 7_258_118_400)) == UInt32(Int32.max))
    }

    // MARK: Archives read by other tools

    @Test("an archive without entries is just an end of central directory record")
    func emptyArchive() async throws {
        let bytes = try await collect(ZipArchiveWriter(EntryList([])))
        #expect(bytes == [0x50, 0x4B, 0x05, 0x06] + [UInt8](repeating: 0, count: 18))
    }

    @Test(
        "Python's zipfile reads random archives back byte for byte (seeded)",
        .enabled(if: ExternalTool.python3 != nil, "python3 is not installed"),
        arguments: [1, 2, 3, 4, 5, 6] as [UInt64]
    )
    func pythonReadsRandomArchives(seed: UInt64) async throws {
        try await withTemporaryDirectory { directory in
            let plan = ArchivePlan.random(seed: seed)
            let archive = directory.appendingPathComponent("archive.zip")
            try await write(ZipArchiveWriter(EntryList(plan.entries)), to: archive)
            try await expectPythonAccepts(archive, expected: plan.expected, in: directory)
        }
    }

    @Test(
        "unzip -t accepts the archives",
        .enabled(if: ExternalTool.unzip != nil, "unzip (Info-ZIP) is not installed; apt-get install -y unzip"),
        arguments: ArchiveKind.allCases
    )
    func unzipTestsArchives(kind: ArchiveKind) async throws {
        try await withTemporaryDirectory { directory in
            let archive = directory.appendingPathComponent("archive.zip")
            try await write(kind.writer, to: archive)
            let result = try await ExternalTool.run(ExternalTool.unzip!, ["-tq", archive.path], in: directory)
            #expect(result.status == 0, "unzip -t failed: \(result.output)")
            #expect(result.output.contains("No errors detected"), "\(result.output)")
        }
    }

    // MARK: ZIP64

    @Test(
        "70,000 entries get a ZIP64 end of central directory that Python reads",
        .enabled(if: ExternalTool.python3 != nil, "python3 is not installed")
    )
    func zip64ByEntryCount() async throws {
        try await withTemporaryDirectory { directory in
            let archive = directory.appendingPathComponent("many.zip")
            try await write(ArchiveKind.manyEntries.writer, to: archive)
            let bytes = try [UInt8](Data(contentsOf: archive))
            let parsed = try #require(CentralDirectory(tail: bytes, archiveSize: UInt64(bytes.count)))
            #expect(parsed.hasZip64End)
            #expect(parsed.entryCount == 70_000)
            #expect(parsed.entries.count == 70_000)
            #expect(parsed.entries.last?.name == "d69/f69999.txt")
            try await expectPythonAccepts(archive, expected: ArchiveKind.manyEntriesExpected, in: directory)
        }
    }

    @Test("sizes and offsets past the ZIP64 threshold are written as ZIP64 (threshold lowered to 1 MiB)")
    func zip64SizesWithLoweredThreshold() async throws {
        let bytes = try await collect(ArchiveKind.zip64Lowered.writer)
        let parsed = try #require(CentralDirectory(tail: bytes, archiveSize: UInt64(bytes.count)))
        #expect(parsed.entries.map(\.name) == ["small.txt", "big.bin", "after.txt", "after-dir/"])
        let small = parsed.entries[0], big = parsed.entries[1], after = parsed.entries[2], directory = parsed.entries[3]

        #expect(small.size32 == 5 && small.offset32 == 0 && small.zip64Values.isEmpty)
        #expect(big.size32 == 0xFFFF_FFFF && big.compressedSize32 == 0xFFFF_FFFF)
        #expect(big.zip64Values == [3 << 20, 3 << 20])
        #expect(big.versionNeeded == 45)
        #expect(big.crc == CRC32.checksum(ArchiveKind.bigContent.readableBytesView))
        #expect(after.offset32 == 0xFFFF_FFFF && after.size32 == 5)
        #expect(after.zip64Values.count == 1 && after.zip64Values[0] > 3 << 20)
        #expect(directory.offset32 == 0xFFFF_FFFF && directory.zip64Values.count == 1)
        #expect(parsed.hasZip64End && parsed.entryCount == 4)

        // The data descriptor after the big entry carries 8-byte sizes.
        let descriptorStart = Int(big.offset) + 30 + "big.bin".utf8.count + 20 + 9 + (3 << 20)
        #expect(Array(bytes[descriptorStart..<descriptorStart + 4]) == [0x50, 0x4B, 0x07, 0x08])
        #expect(readLE(bytes, descriptorStart + 8, as: UInt64.self) == 3 << 20)
        #expect(readLE(bytes, descriptorStart + 16, as: UInt64.self) == 3 << 20)
    }

    @Test("a 4.1 GiB entry gets ZIP64 sizes, and the entry after it a ZIP64 offset")
    func zip64SizesForFourGigabytes() async throws {
        // About 8 s in a debug build: the zeros are one reused buffer, so the time is CRC-32 over 4.1 GiB.
        let size = 4_400_000_000
        let zeros = RepeatedBytes(chunk: ByteBuffer(repeating: 0, count: 1 << 20), total: size)
        let entries = EntryList([
            .file("zeros.bin", modified: .now, content: zeros),
            .file("z.txt", modified: .now, content: Chunks("z")),
        ])
        var tail = TailCapture(keeping: 4096)
        for try await buffer in ZipArchiveWriter(entries) { tail.append(buffer) }
        let parsed = try #require(CentralDirectory(tail: tail.bytes, archiveSize: tail.total))
        let zeroEntry = parsed.entries[0], after = parsed.entries[1]
        #expect(zeroEntry.size32 == 0xFFFF_FFFF && zeroEntry.compressedSize32 == 0xFFFF_FFFF)
        #expect(zeroEntry.zip64Values == [UInt64(size), UInt64(size)])
        #expect(zeroEntry.crc == 0x1E7E_8AE2)  // zlib.crc32 of 4,400,000,000 zero bytes
        #expect(after.offset32 == 0xFFFF_FFFF)
        #expect(after.offset == UInt64((30 + 9 + 20 + 9) + size + 24))
        #expect(parsed.hasZip64End)
    }

    // MARK: Streaming behaviour

    @Test("a 200 MiB entry streams one buffer at a time, in buffers of at most 1 MiB")
    func streamsWithoutReadingAhead() async throws {
        let size = 200 << 20
        let content = RepeatedBytes(chunk: ByteBuffer(repeating: 0xA5, count: 64 << 10), total: size)
        let writer = ZipArchiveWriter(EntryList([.file("big.bin", modified: .now, content: content)]))
        var received = 0
        var largestBuffer = 0
        var largestReadAhead = Int.min
        var tail = TailCapture(keeping: 1024)
        for try await buffer in writer {
            received += buffer.readableBytes
            largestBuffer = max(largestBuffer, buffer.readableBytes)
            largestReadAhead = max(largestReadAhead, content.produced.value - received)
            tail.append(buffer)
        }
        // Local header + data + descriptor + central header + end record.
        #expect(received == (30 + 7 + 20 + 9) + size + 24 + (46 + 7 + 9) + 22)
        #expect(largestBuffer <= 1 << 20)
        // Content the writer pulled but the consumer has not received yet; 0 means no read-ahead at all.
        #expect(largestReadAhead <= 64 << 10)
        let parsed = try #require(CentralDirectory(tail: tail.bytes, archiveSize: tail.total))
        #expect(parsed.entries.first?.size == UInt64(size))
    }

    @Test("an entry whose content fails ends the archive with that error, not a truncated archive")
    func contentErrorFailsArchive() async throws {
        let entries = EntryList([
            .file("ok.txt", modified: .now, content: Chunks("fine")),
            .file("broken.bin", modified: .now, content: Chunks("partial", failure: DownloadInterrupted())),
            .file("never.txt", modified: .now, content: Chunks("unreached")),
        ])
        var iterator = ZipArchiveWriter(entries).makeAsyncIterator()
        var output: [UInt8] = []
        await #expect(throws: DownloadInterrupted.self) {
            while let buffer = try await iterator.next() { output += buffer.readableBytesView }
        }
        #expect(try await iterator.next() == nil)
        #expect(String(decoding: output, as: UTF8.self).hasSuffix("partial"))
        #expect(!containsSignature(output, [0x50, 0x4B, 0x05, 0x06]))
    }

    @Test("a failing entry sequence ends the archive with its error")
    func entriesErrorFailsArchive() async throws {
        let entries = EntryList([.file("ok.txt", modified: .now, content: Chunks("fine"))], failure: DownloadInterrupted())
        await #expect(throws: DownloadInterrupted.self) {
            for try await _ in ZipArchiveWriter(entries) {}
        }
    }
}

// MARK: - Fixtures

extension ZipArchiveTests {
    /// Archives checked by more than one test.
    enum ArchiveKind: String, CaseIterable, Sendable, CustomTestStringConvertible {
        case random
        case zip64Lowered
        case manyEntries

        var testDescription: String { rawValue }

        static let bigContent: ByteBuffer = {
            var random = SplitMix64(seed: 64)
            return random.byteBuffer(count: 3 << 20)
        }()

        var writer: ZipArchiveWriter<EntryList> {
            let modified = Date(timeIntervalSince1970: 1_700_000_000)
            switch self {
            case .random:
                return ZipArchiveWriter(EntryList(ArchivePlan.random(seed: 7).entries))
            case .zip64Lowered:
                let entries = EntryList([
                    .file("small.txt", modified: modified, content: Chunks("small")),
                    .file("big.bin", modified: modified, content: Chunks(Self.bigContent, pieces: 5)),
                    .file("after.txt", modified: modified, content: Chunks("after")),
                    .directory("after-dir", modified: modified),
                ])
                return ZipArchiveWriter(entries, zip64Threshold: 1 << 20)
            case .manyEntries:
                return ZipArchiveWriter(EntryList(count: 70_000) { index in
                    let path = "d\(index / 1000)/f\(index).txt"
                    return index % 7 == 0
                        ? ZipEntry.file(path, modified: modified, content: Chunks("\(index)"))
                        : ZipEntry(path: path, modified: modified)
                })
            }
        }

        static var manyEntriesExpected: [ExpectedMember] {
            let dateTime = ExpectedMember.components(Date(timeIntervalSince1970: 1_700_000_000))
            return (0..<70_000).map { index in
                let size = index % 7 == 0 ? "\(index)".utf8.count : 0
                // testzip() already checks every CRC; hashing 70,000 members would only add seconds.
                return ExpectedMember(name: "d\(index / 1000)/f\(index).txt", size: size, isDirectory: false,
                                      sha256: nil, dateTime: dateTime)
            }
        }
    }

    /// A seeded random archive: nested and unicode names, sizes from 0 to 5 MiB, content split at random points.
    struct ArchivePlan {
        var entries: [ZipEntry] = []
        var expected: [ExpectedMember] = []

        static func random(seed: UInt64) -> ArchivePlan {
            var random = SplitMix64(seed: seed)
            let folders = ["Documents", "Résumés", "日本語", "Привет мир", "emoji 📦", "a b", "deep"]
            let stems = ["report", "naïve café", "Ünïcödé", "写真", "notes.final", "x"]
            var plan = ArchivePlan()
            for index in 0..<Int.random(in: 1...10, using: &random) {
                let depth = Int.random(in: 0...3, using: &random)
                let folder = (0..<depth).map { _ in folders.randomElement(using: &random)! }
                let modified = Date(timeIntervalSince1970: Double(Int.random(in: 315_532_800...4_102_444_800, using: &random)))
                if Int.random(in: 0..<8, using: &random) == 0 {
                    let path = (folder + ["empty \(index)"]).joined(separator: "/")
                    plan.entries.append(.directory(path, modified: modified))
                    plan.expected.append(ExpectedMember(name: path + "/", size: 0, isDirectory: true, sha256: nil,
                                                        dateTime: ExpectedMember.components(modified)))
                    continue
                }
                let path = (folder + ["\(stems.randomElement(using: &random)!) \(index).bin"]).joined(separator: "/")
                let size: Int
                switch Int.random(in: 0..<20, using: &random) {
                case 0..<5: size = 0
                case 5..<12: size = Int.random(in: 1...4096, using: &random)
                case 12..<17: size = Int.random(in: 4097...(512 << 10), using: &random)
                default: size = Int.random(in: (1 << 20)...(5 << 20), using: &random)
                }
                let content = random.byteBuffer(count: size)
                let entry: ZipEntry
                if size == 0, Bool.random(using: &random) {
                    entry = ZipEntry(path: path, modified: modified)  // no content at all, not even an empty stream
                } else {
                    let maximumPiece = [16, 4096, 256 << 10, 1 << 20].filter { size < 1 << 16 || $0 > 16 }
                        .randomElement(using: &random)!
                    entry = .file(path, modified: modified,
                                  content: Chunks(content, maximumPiece: maximumPiece, seed: random.next()))
                }
                plan.entries.append(entry)
                plan.expected.append(ExpectedMember(name: path, size: size, isDirectory: false,
                                                    sha256: sha256Hex(content.readableBytesView),
                                                    dateTime: ExpectedMember.components(modified)))
            }
            return plan
        }
    }

    /// What Python should find for one member.
    struct ExpectedMember: Encodable {
        var name: String
        var size: Int
        var isDirectory: Bool
        /// Lowercase hex; nil to skip the comparison.
        var sha256: String?
        /// Python's `ZipInfo.date_time`: year, month, day, hour, minute, even second, in UTC.
        var dateTime: [Int]

        static func components(_ date: Date) -> [Int] {
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = TimeZone(identifier: "UTC")!
            let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
            return [parts.year!, parts.month!, parts.day!, parts.hour!, parts.minute!, parts.second! / 2 * 2]
        }
    }

    /// Entries from an array or generated from an index on demand, optionally failing after the last one.
    struct EntryList: AsyncSequence, Sendable {
        typealias Element = ZipEntry
        let count: Int
        let entry: @Sendable (Int) -> ZipEntry
        var failure: (any Error & Sendable)?

        init(count: Int, entry: @escaping @Sendable (Int) -> ZipEntry) {
            self.count = count
            self.entry = entry
        }

        init(_ entries: [ZipEntry], failure: (any Error & Sendable)? = nil) {
            self.init(count: entries.count) { entries[$0] }
            self.failure = failure
        }

        struct AsyncIterator: AsyncIteratorProtocol {
            let list: EntryList
            var index = 0

            mutating func next() async throws -> ZipEntry? {
                guard index < list.count else {
                    if let failure = list.failure { throw failure }
                    return nil
                }
                defer { index += 1 }
                return list.entry(index)
            }
        }

        func makeAsyncIterator() -> AsyncIterator { AsyncIterator(list: self) }
    }

    /// Content handed out as slices of random length (some empty), optionally failing after the last one.
    struct Chunks: AsyncSequence, Sendable {
        typealias Element = ByteBuffer
        let content: ByteBuffer
        let maximumPiece: Int
        let seed: UInt64
        var failure: (any Error & Sendable)?

        init(_ content: ByteBuffer, maximumPiece: Int, seed: UInt64) {
            self.content = content
            self.maximumPiece = maximumPiece
            self.seed = seed
        }

        init(_ content: ByteBuffer, pieces: Int) {
            self.init(content, maximumPiece: content.readableBytes / pieces + 1, seed: 1)
        }

        init(_ text: String, failure: (any Error & Sendable)? = nil) {
            self.init(ByteBuffer(string: text), maximumPiece: 3, seed: 1)
            self.failure = failure
        }

        struct AsyncIterator: AsyncIteratorProtocol {
            var remaining: ByteBuffer
            let maximumPiece: Int
            var random: SplitMix64
            let failure: (any Error & Sendable)?

            mutating func next() async throws -> ByteBuffer? {
                guard remaining.readableBytes > 0 else {
                    if let failure { throw failure }
                    return nil
                }
                let length = Swift.min(remaining.readableBytes, Int.random(in: 0...maximumPiece, using: &random))
                return remaining.readSlice(length: length)
            }
        }

        func makeAsyncIterator() -> AsyncIterator {
            AsyncIterator(remaining: content, maximumPiece: maximumPiece, random: SplitMix64(seed: seed), failure: failure)
        }
    }

    /// `total` bytes made of one repeated chunk, counting what has been pulled so far.
    struct RepeatedBytes: AsyncSequence, Sendable {
        typealias Element = ByteBuffer
        final class Counter: Sendable {
            private let bytes = Mutex(0)
            var value: Int { bytes.withLock { $0 } }
            func add(_ count: Int) { bytes.withLock { $0 += count } }
        }

        let chunk: ByteBuffer
        let total: Int
        var produced = Counter()

        struct AsyncIterator: AsyncIteratorProtocol {
            let sequence: RepeatedBytes
            var sent = 0

            mutating func next() async throws -> ByteBuffer? {
                guard sent < sequence.total else { return nil }
                let length = Swift.min(sequence.chunk.readableBytes, sequence.total - sent)
                sent += length
                sequence.produced.add(length)
                return sequence.chunk.getSlice(at: sequence.chunk.readerIndex, length: length)
            }
        }

        func makeAsyncIterator() -> AsyncIterator { AsyncIterator(sequence: self) }
    }

    struct DownloadInterrupted: Error {}

    // MARK: - Reading archives back

    /// The central directory found from the end of an archive, parsed independently of the writer.
    struct CentralDirectory {
        struct Entry {
            var name: String
            var versionNeeded: UInt16
            var flags: UInt16
            var crc: UInt32
            var compressedSize32: UInt32
            var size32: UInt32
            var offset32: UInt32
            /// The ZIP64 extra field's values, in file order.
            var zip64Values: [UInt64]
            var size: UInt64
            var offset: UInt64
        }

        var entries: [Entry] = []
        var entryCount: UInt64
        var hasZip64End: Bool

        /// `tail` is the last bytes of an archive of `archiveSize` bytes; it must hold the whole central directory.
        init?(tail: [UInt8], archiveSize: UInt64) {
            let base = archiveSize - UInt64(tail.count)
            let end = tail.count - 22
            guard end >= 0, readLE(tail, end, as: UInt32.self) == 0x0605_4B50 else { return nil }
            var count = UInt64(readLE(tail, end + 10, as: UInt16.self))
            var directoryOffset = UInt64(readLE(tail, end + 16, as: UInt32.self))
            hasZip64End = end >= 20 && readLE(tail, end - 20, as: UInt32.self) == 0x0706_4B50
            if hasZip64End {
                let zip64End = Int(readLE(tail, end - 12, as: UInt64.self) - base)
                guard readLE(tail, zip64End, as: UInt32.self) == 0x0606_4B50 else { return nil }
                count = readLE(tail, zip64End + 32, as: UInt64.self)
                directoryOffset = readLE(tail, zip64End + 48, as: UInt64.self)
            }
            entryCount = count
            var position = Int(directoryOffset - base)
            for _ in 0..<count {
                guard readLE(tail, position, as: UInt32.self) == 0x0201_4B50 else { return nil }
                let nameLength = Int(readLE(tail, position + 28, as: UInt16.self))
                let extraLength = Int(readLE(tail, position + 30, as: UInt16.self))
                let commentLength = Int(readLE(tail, position + 32, as: UInt16.self))
                var entry = Entry(
                    name: String(decoding: tail[position + 46..<position + 46 + nameLength], as: UTF8.self),
                    versionNeeded: readLE(tail, position + 6, as: UInt16.self),
                    flags: readLE(tail, position + 8, as: UInt16.self),
                    crc: readLE(tail, position + 16, as: UInt32.self),
                    compressedSize32: readLE(tail, position + 20, as: UInt32.self),
                    size32: readLE(tail, position + 24, as: UInt32.self),
                    offset32: readLE(tail, position + 42, as: UInt32.self),
                    zip64Values: [], size: 0, offset: 0
                )
                var extra = position + 46 + nameLength
                while extra < position + 46 + nameLength + extraLength {
                    let tag = readLE(tail, extra, as: UInt16.self)
                    let length = Int(readLE(tail, extra + 2, as: UInt16.self))
                    if tag == 0x0001 {
                        entry.zip64Values = stride(from: 0, to: length, by: 8).map { readLE(tail, extra + 4 + $0, as: UInt64.self) }
                    }
                    extra += 4 + length
                }
                var zip64 = entry.zip64Values.makeIterator()
                entry.size = entry.size32 == 0xFFFF_FFFF ? zip64.next()! : UInt64(entry.size32)
                if entry.compressedSize32 == 0xFFFF_FFFF { _ = zip64.next() }
                entry.offset = entry.offset32 == 0xFFFF_FFFF ? zip64.next()! : UInt64(entry.offset32)
                entries.append(entry)
                position = extra + commentLength
            }
        }
    }

    /// The last bytes of a stream, keeping whole buffers (cheap) and cutting only when asked.
    struct TailCapture {
        let keeping: Int
        private var buffers: [ByteBuffer] = []
        private var kept = 0
        private(set) var total: UInt64 = 0

        init(keeping: Int) { self.keeping = keeping }

        mutating func append(_ buffer: ByteBuffer) {
            buffers.append(buffer)
            kept += buffer.readableBytes
            total += UInt64(buffer.readableBytes)
            while let first = buffers.first, kept - first.readableBytes >= keeping {
                kept -= first.readableBytes
                buffers.removeFirst()
            }
        }

        var bytes: [UInt8] { Array(buffers.flatMap { $0.readableBytesView }.suffix(keeping)) }
    }

    /// The shared `SplitMix64` with the archive tests' byte layout, so every random archive can be reproduced from its seed.
    struct SplitMix64: RandomNumberGenerator, Sendable {
        private var core: SeededRandom.SplitMix64

        init(seed: UInt64) { core = SeededRandom.SplitMix64(seed: seed) }

        mutating func next() -> UInt64 { core.next() }

        mutating func bytes(count: Int) -> [UInt8] {
            Array(byteBuffer(count: count).readableBytesView)
        }

        mutating func byteBuffer(count: Int) -> ByteBuffer {
            var buffer = ByteBuffer()
            buffer.reserveCapacity(count)
            buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: count) { pointer in
                var offset = 0
                while offset < count {
                    var word = next()
                    let length = Swift.min(8, count - offset)
                    withUnsafeBytes(of: &word) { pointer.baseAddress!.advanced(by: offset).copyMemory(from: $0.baseAddress!, byteCount: length) }
                    offset += length
                }
                return count
            }
            return buffer
        }
    }
}


private func readLE<Value: FixedWidthInteger>(_ bytes: [UInt8], _ offset: Int, as: Value.Type) -> Value {
    precondition(offset >= 0 && offset + MemoryLayout<Value>.size <= bytes.count, "read past the captured bytes")
    return bytes.withUnsafeBytes { Value(littleEndian: $0.loadUnaligned(fromByteOffset: offset, as: Value.self)) }
}

private func containsSignature(_ bytes: [UInt8], _ signature: [UInt8]) -> Bool {
    bytes.indices.dropLast(signature.count - 1).contains { bytes[$0..<$0 + signature.count].elementsEqual(signature) }
}

private func referenceCRC32(_ bytes: [UInt8]) -> UInt32 {
    var crc: UInt32 = 0xFFFF_FFFF
    for byte in bytes {
        crc ^= UInt32(byte)
        for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
    }
    return ~crc
}

private func sha256Hex(_ bytes: some Sequence<UInt8>) -> String {
    let digits = Array("0123456789abcdef".utf8)
    return String(decoding: SHA256.hash(data: Array(bytes)).flatMap { [digits[Int($0 >> 4)], digits[Int($0 & 0xF)]] }, as: UTF8.self)
}

private func collect(_ writer: ZipArchiveWriter<ZipArchiveTests.EntryList>) async throws -> [UInt8] {
    var bytes: [UInt8] = []
    for try await buffer in writer { bytes += buffer.readableBytesView }
    return bytes
}

private func write(_ writer: ZipArchiveWriter<ZipArchiveTests.EntryList>, to file: URL) async throws {
    guard FileManager.default.createFile(atPath: file.path, contents: nil) else {
        throw CocoaError(.fileWriteUnknown)
    }
    let handle = try FileHandle(forWritingTo: file)
    defer { try? handle.close() }
    for try await buffer in writer {
        try handle.write(contentsOf: Data(buffer.readableBytesView))
    }
}

private func withTemporaryDirectory(_ body: (URL) async throws -> Void) async throws {
    let directory = FileManager.default.temporaryDirectory
        .appendingPathComponent("lifeboat-zip-\(UUID().uuidString)", isDirectory: true)
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    try await body(directory)
}

// MARK: - External tools

/// Checks with Python's zipfile: CRCs (testzip), names in order, sizes, times and SHA-256 of every member.
private func expectPythonAccepts(_ archive: URL, expected: [ZipArchiveTests.ExpectedMember], in directory: URL) async throws {
    let manifest = directory.appendingPathComponent("expected.json")
    try JSONEncoder().encode(expected).write(to: manifest)
    let script = """
        import hashlib, json, sys, zipfile
        expected = json.load(open(sys.argv[2], encoding="utf-8"))
        with zipfile.ZipFile(sys.argv[1]) as archive:
            bad = archive.testzip()
            assert bad is None, f"CRC mismatch in {bad!r}"
            infos = archive.infolist()
            names = [info.filename for info in infos]
            assert names == [e["name"] for e in expected], f"names differ: {names[:20]!r}"
            for info, e in zip(infos, expected):
                assert info.file_size == e["size"], (info.filename, info.file_size, e["size"])
                assert info.compress_size == e["size"], (info.filename, info.compress_size)
                assert info.compress_type == zipfile.ZIP_STORED, info.filename
                assert info.is_dir() == e["isDirectory"], info.filename
                assert list(info.date_time) == e["dateTime"], (info.filename, info.date_time, e["dateTime"])
                if e.get("sha256") is not None:
                    digest = hashlib.sha256()
                    with archive.open(info) as member:
                        for block in iter(lambda: member.read(1 << 20), b""):
                            digest.update(block)
                    assert digest.hexdigest() == e["sha256"], f"content differs: {info.filename!r}"
        print("ok", len(expected))
        """
    let result = try await ExternalTool.run(ExternalTool.python3!, ["-c", script, archive.path, manifest.path], in: directory)
    #expect(result.status == 0, "python zipfile rejected the archive: \(result.output)")
    #expect(result.output.hasPrefix("ok \(expected.count)"), "\(result.output)")
}
