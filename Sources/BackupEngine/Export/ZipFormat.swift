import Foundation
import NIOCore

/// The ZIP records `ZipArchiveWriter` emits (PKWARE APPNOTE 6.3.x), laid out little-endian.
enum ZipFormat {
    /// Largest value a 32-bit size or offset field holds without ZIP64; the value itself means "see ZIP64".
    static let limit32: UInt64 = 0xFFFF_FFFF
    /// Entry counts at or above this need the ZIP64 end record (0xFFFF means "see ZIP64").
    static let limit16: UInt64 = 0xFFFF

    /// Made by Unix (3, so external attributes carry a mode), spec version 6.3.
    static let versionMadeBy: UInt16 = 3 << 8 | 63
    /// ZIP64 extra fields need 4.5; a plain stored entry or directory needs 2.0.
    static let versionZip64: UInt16 = 45
    static let versionPlain: UInt16 = 20
    static let flagDataDescriptor: UInt16 = 1 << 3
    static let flagUTF8: UInt16 = 1 << 11

    static let zip64ExtraTag: UInt16 = 0x0001
    static let extendedTimestampTag: UInt16 = 0x5455
    static let extendedTimestampSize = 4 + 5
    /// Local ZIP64 extra: both sizes (as zero, the real ones follow in the data descriptor).
    static let localZip64ExtraSize = 4 + 16
    static let dataDescriptorSize = 4 + 4 + 8 + 8

    /// What the central directory needs to know about a written entry; about 100 bytes plus a long name's bytes.
    struct CentralRecord: Sendable {
        var name: String
        var dosTime: UInt16
        var dosDate: UInt16
        var unixTime: UInt32
        var isDirectory: Bool
        /// Written with flag bit 3, a ZIP64 local extra field and a data descriptor (entries with content).
        var hasDataDescriptor: Bool
        /// Offset of the local header from the start of the archive.
        var offset: UInt64
        var crc: UInt32 = 0
        var size: UInt64 = 0

        init(name: String, modified: Date, isDirectory: Bool, hasDataDescriptor: Bool, offset: UInt64) {
            self.name = name
            (self.dosDate, self.dosTime) = ZipFormat.dosDateTime(modified)
            self.unixTime = ZipFormat.unixTime(modified)
            self.isDirectory = isDirectory
            self.hasDataDescriptor = hasDataDescriptor
            self.offset = offset
        }

        var flags: UInt16 { ZipFormat.flagUTF8 | (hasDataDescriptor ? ZipFormat.flagDataDescriptor : 0) }
    }

    // MARK: Local header and data descriptor

    static func localHeaderSize(_ record: CentralRecord) -> Int {
        30 + record.name.utf8.count + localExtraSize(record)
    }

    private static func localExtraSize(_ record: CentralRecord) -> Int {
        (record.hasDataDescriptor ? localZip64ExtraSize : 0) + extendedTimestampSize
    }

    /// Sizes and CRC are zero (or 0xFFFFFFFF pointing at a zero ZIP64 field) for streamed entries: the data
    /// descriptor and the central directory carry the real values.
    static func writeLocalHeader(_ record: CentralRecord, to buffer: inout ByteBuffer) {
        buffer.writeRecord(size: localHeaderSize(record)) { out in writeLocalHeader(record, to: &out) }
    }

    private static func writeLocalHeader(_ record: CentralRecord, to out: inout RecordWriter) {
        let streamed = record.hasDataDescriptor
        out.put(UInt32(0x0403_4B50))
        out.put(streamed ? versionZip64 : versionPlain)
        out.put(record.flags)
        out.put(UInt16(0))  // stored
        out.put(record.dosTime)
        out.put(record.dosDate)
        out.put(UInt32(0))  // CRC-32
        out.put(streamed ? UInt32(limit32) : 0)  // compressed size
        out.put(streamed ? UInt32(limit32) : 0)  // uncompressed size
        out.put(UInt16(record.name.utf8.count))
        out.put(UInt16(localExtraSize(record)))
        out.put(record.name)
        if streamed {
            out.put(zip64ExtraTag)
            out.put(UInt16(16))
            out.put(UInt64(0))  // uncompressed size
            out.put(UInt64(0))  // compressed size
        }
        writeExtendedTimestamp(record, to: &out)
    }

    /// Always the ZIP64 form (8-byte sizes), as announced by the local header's ZIP64 extra field.
    static func writeDataDescriptor(_ record: CentralRecord, to buffer: inout ByteBuffer) {
        buffer.writeRecord(size: dataDescriptorSize) { out in
            out.put(UInt32(0x0807_4B50))
            out.put(record.crc)
            out.put(record.size)  // compressed
            out.put(record.size)  // uncompressed
        }
    }

    // MARK: Central directory

    static func centralHeaderSize(_ record: CentralRecord, zip64Threshold: UInt64) -> Int {
        46 + record.name.utf8.count + centralExtraSize(record, zip64Threshold: zip64Threshold)
    }

    private static func centralZip64FieldCount(_ record: CentralRecord, zip64Threshold: UInt64) -> Int {
        (record.size >= zip64Threshold ? 2 : 0) + (record.offset >= zip64Threshold ? 1 : 0)
    }

    private static func centralExtraSize(_ record: CentralRecord, zip64Threshold: UInt64) -> Int {
        let zip64Fields = centralZip64FieldCount(record, zip64Threshold: zip64Threshold)
        return (zip64Fields > 0 ? 4 + 8 * zip64Fields : 0) + extendedTimestampSize
    }

    static func writeCentralHeader(_ record: CentralRecord, zip64Threshold: UInt64, to buffer: inout ByteBuffer) {
        buffer.writeRecord(size: centralHeaderSize(record, zip64Threshold: zip64Threshold)) { out in
            writeCentralHeader(record, zip64Threshold: zip64Threshold, to: &out)
        }
    }

    private static func writeCentralHeader(_ record: CentralRecord, zip64Threshold: UInt64, to out: inout RecordWriter) {
        let sizeIsZip64 = record.size >= zip64Threshold
        let offsetIsZip64 = record.offset >= zip64Threshold
        let zip64Fields = centralZip64FieldCount(record, zip64Threshold: zip64Threshold)
        let size32 = sizeIsZip64 ? UInt32(limit32) : UInt32(record.size)
        out.put(UInt32(0x0201_4B50))
        out.put(versionMadeBy)
        out.put(record.hasDataDescriptor || zip64Fields > 0 ? versionZip64 : versionPlain)
        out.put(record.flags)
        out.put(UInt16(0))  // stored
        out.put(record.dosTime)
        out.put(record.dosDate)
        out.put(record.crc)
        out.put(size32)  // compressed
        out.put(size32)  // uncompressed
        out.put(UInt16(record.name.utf8.count))
        out.put(UInt16(centralExtraSize(record, zip64Threshold: zip64Threshold)))
        out.put(UInt16(0))  // comment length
        out.put(UInt16(0))  // disk number
        out.put(UInt16(0))  // internal attributes
        let mode: UInt32 = record.isDirectory ? 0o040755 : 0o100644
        out.put(mode << 16 | (record.isDirectory ? 0x10 : 0))  // 0x10: MS-DOS directory bit
        out.put(offsetIsZip64 ? UInt32(limit32) : UInt32(record.offset))
        out.put(record.name)
        if zip64Fields > 0 {
            // The order is fixed by the format: uncompressed size, compressed size, local header offset.
            out.put(zip64ExtraTag)
            out.put(UInt16(8 * zip64Fields))
            if sizeIsZip64 {
                out.put(record.size)
                out.put(record.size)
            }
            if offsetIsZip64 {
                out.put(record.offset)
            }
        }
        writeExtendedTimestamp(record, to: &out)
    }

    /// The end of central directory record, preceded by the ZIP64 end record and its locator when a count,
    /// size or offset does not fit the classic record.
    static func writeEnd(
        entryCount: UInt64,
        directoryOffset: UInt64,
        directorySize: UInt64,
        zip64Threshold: UInt64,
        to buffer: inout ByteBuffer
    ) {
        buffer.writeRecord(size: 56 + 20 + 22) { out in
            writeEnd(entryCount: entryCount, directoryOffset: directoryOffset, directorySize: directorySize,
                     zip64Threshold: zip64Threshold, to: &out)
        }
    }

    private static func writeEnd(
        entryCount: UInt64,
        directoryOffset: UInt64,
        directorySize: UInt64,
        zip64Threshold: UInt64,
        to out: inout RecordWriter
    ) {
        let countIsZip64 = entryCount >= limit16
        let sizeIsZip64 = directorySize >= zip64Threshold
        let offsetIsZip64 = directoryOffset >= zip64Threshold
        if countIsZip64 || sizeIsZip64 || offsetIsZip64 {
            let zip64EndOffset = directoryOffset + directorySize
            out.put(UInt32(0x0606_4B50))
            out.put(UInt64(44))  // size of the rest of this record
            out.put(versionMadeBy)
            out.put(versionZip64)
            out.put(UInt32(0))  // this disk
            out.put(UInt32(0))  // disk with the central directory
            out.put(entryCount)  // on this disk
            out.put(entryCount)  // in total
            out.put(directorySize)
            out.put(directoryOffset)

            out.put(UInt32(0x0706_4B50))
            out.put(UInt32(0))  // disk with the ZIP64 end record
            out.put(zip64EndOffset)
            out.put(UInt32(1))  // number of disks
        }
        let count16 = countIsZip64 ? UInt16(limit16) : UInt16(entryCount)
        out.put(UInt32(0x0605_4B50))
        out.put(UInt16(0))  // this disk
        out.put(UInt16(0))  // disk with the central directory
        out.put(count16)  // on this disk
        out.put(count16)  // in total
        out.put(sizeIsZip64 ? UInt32(limit32) : UInt32(directorySize))
        out.put(offsetIsZip64 ? UInt32(limit32) : UInt32(directoryOffset))
        out.put(UInt16(0))  // comment length
    }

    // MARK: Times

    /// Local and central form alike: flags "modification time present", then seconds since 1970.
    private static func writeExtendedTimestamp(_ record: CentralRecord, to out: inout RecordWriter) {
        out.put(extendedTimestampTag)
        out.put(UInt16(5))
        out.put(UInt8(1))
        out.put(record.unixTime)
    }

    /// Seconds since 1970 clamped to what a signed 32-bit `time_t` holds, as extractors read it.
    static func unixTime(_ date: Date) -> UInt32 {
        let seconds = date.timeIntervalSince1970.rounded(.down)
        return UInt32(max(0, min(seconds, Double(Int32.max))))
    }

    /// MS-DOS date and time of `date` in UTC, clamped to the representable 1980-01-01...2107-12-31.
    static func dosDateTime(_ date: Date) -> (date: UInt16, time: UInt16) {
        let interval = date.timeIntervalSince1970.rounded(.down)
        // 1980-01-01T00:00:00Z and 2107-12-31T23:59:59Z.
        let seconds = Int64(max(315_532_800, min(interval, 4_354_819_199)))
        let days = seconds.floorDivided(by: 86_400)
        let secondOfDay = seconds - days * 86_400
        let (year, month, day) = civilDate(daysSince1970: days)
        let dosDate = UInt16(year - 1980) << 9 | UInt16(month) << 5 | UInt16(day)
        let dosTime = UInt16(secondOfDay / 3600) << 11 | UInt16(secondOfDay / 60 % 60) << 5 | UInt16(secondOfDay % 60 / 2)
        return (dosDate, dosTime)
    }

    /// Proleptic Gregorian year, month and day of a day count (Howard Hinnant's `civil_from_days`).
    private static func civilDate(daysSince1970: Int64) -> (year: Int64, month: Int64, day: Int64) {
        let z = daysSince1970 + 719_468
        let era = z.floorDivided(by: 146_097)
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let shiftedMonth = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * shiftedMonth + 2) / 5 + 1
        let month = shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }
}

extension Int64 {
    fileprivate func floorDivided(by divisor: Int64) -> Int64 {
        let quotient = self / divisor
        return (self % divisor != 0 && (self < 0) != (divisor < 0)) ? quotient - 1 : quotient
    }
}

/// Stores little-endian fields into memory reserved for one record; far cheaper per field than `ByteBuffer`'s
/// generic integer writes, which matters with many small entries (and a great deal in debug builds).
private struct RecordWriter {
    private let memory: UnsafeMutableRawBufferPointer
    private(set) var count = 0

    init(_ memory: UnsafeMutableRawBufferPointer) {
        self.memory = memory
    }

    mutating func put(_ value: UInt8) {
        memory[count] = value
        count += 1
    }

    mutating func put(_ value: UInt16) {
        memory.storeBytes(of: value.littleEndian, toByteOffset: count, as: UInt16.self)
        count += 2
    }

    mutating func put(_ value: UInt32) {
        memory.storeBytes(of: value.littleEndian, toByteOffset: count, as: UInt32.self)
        count += 4
    }

    mutating func put(_ value: UInt64) {
        memory.storeBytes(of: value.littleEndian, toByteOffset: count, as: UInt64.self)
        count += 8
    }

    mutating func put(_ text: String) {
        var text = text
        text.withUTF8 { utf8 in
            UnsafeMutableRawBufferPointer(rebasing: memory[count..<count + utf8.count]).copyMemory(from: UnsafeRawBufferPointer(utf8))
            count += utf8.count
        }
    }
}

extension ByteBuffer {
    /// Appends one record of at most `size` bytes written by `body`.
    fileprivate mutating func writeRecord(size: Int, _ body: (inout RecordWriter) -> Void) {
        writeWithUnsafeMutableBytes(minimumWritableBytes: size) { memory in
            var writer = RecordWriter(memory)
            body(&writer)
            return writer.count
        }
    }
}
