#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Where a `SegmentWriter` puts a segment's bytes, front to back.
protocol SegmentSink {
    mutating func write(_ bytes: UnsafeRawBufferPointer) throws
}

/// Collects a segment in memory (repositories opened without a cache folder), in one heap block that
/// `SegmentBytes(adopting:)` then takes over without a copy.
final class MemorySegmentSink: SegmentSink {
    private(set) var buffer: UnsafeMutableRawBufferPointer
    private(set) var count = 0

    /// Reserves `expectedBytes` up front so that a segment of known size is written without regrowing.
    init(reserving expectedBytes: Int) {
        buffer = .allocate(byteCount: max(expectedBytes, 64), alignment: 16)
    }

    deinit { buffer.deallocate() }

    func write(_ bytes: UnsafeRawBufferPointer) {
        if count + bytes.count > buffer.count {
            let grown = UnsafeMutableRawBufferPointer.allocate(
                byteCount: max(buffer.count * 2, count + bytes.count), alignment: 16)
            grown.copyMemory(from: UnsafeRawBufferPointer(rebasing: buffer[0..<count]))
            buffer.deallocate()
            buffer = grown
        }
        UnsafeMutableRawBufferPointer(rebasing: buffer[count..<(count + bytes.count)]).copyMemory(from: bytes)
        count += bytes.count
    }

    /// Hands the written bytes to the caller, who must deallocate them; the sink is empty afterwards.
    func takeBytes() -> UnsafeMutableRawBufferPointer {
        let taken = UnsafeMutableRawBufferPointer(rebasing: buffer[0..<count])
        buffer = .allocate(byteCount: 64, alignment: 16)
        count = 0
        return taken
    }
}

/// Writes a file through a 1 MiB buffer; `finish` fsyncs and closes it.
struct FileSegmentSink: SegmentSink {
    let path: String
    private let descriptor: Int32
    private var buffer: [UInt8] = []
    private static let bufferSize = 1 << 20

    /// Creates (exclusively) the file at `path`.
    init(creating path: String) throws {
        self.path = path
        descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw IndexCacheError.unreadable(path: path, errno: errno) }
        buffer.reserveCapacity(Self.bufferSize)
    }

    mutating func write(_ bytes: UnsafeRawBufferPointer) throws {
        buffer.append(contentsOf: bytes)
        if buffer.count >= Self.bufferSize { try drain() }
    }

    private mutating func drain() throws {
        var written = 0
        while written < buffer.count {
            let result = buffer.withUnsafeBytes { systemWrite(descriptor, $0.baseAddress! + written, $0.count - written) }
            if result < 0 {
                if errno == EINTR { continue }
                throw IndexCacheError.unreadable(path: path, errno: errno)
            }
            written += result
        }
        buffer.removeAll(keepingCapacity: true)
    }

    /// Writes what is buffered, fsyncs (so a crash cannot leave a renamed but empty file) and closes.
    mutating func finish() throws {
        defer { close(descriptor) }
        try drain()
        guard fsync(descriptor) == 0 else { throw IndexCacheError.unreadable(path: path, errno: errno) }
    }

    /// Closes without finishing (after a failure); the caller removes the file.
    func abandon() { close(descriptor) }
}

private func systemWrite(_ descriptor: Int32, _ bytes: UnsafeRawPointer, _ count: Int) -> Int {
    #if canImport(Glibc)
    Glibc.write(descriptor, bytes, count)
    #elseif canImport(Musl)
    Musl.write(descriptor, bytes, count)
    #else
    Darwin.write(descriptor, bytes, count)
    #endif
}
