#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The immutable bytes of one index segment: a read-only memory mapping of a cache file, or a heap copy for
/// repositories opened without a cache folder.
///
/// A mapped file's pages belong to the page cache: the kernel reads them on first touch and may drop them under
/// memory pressure, so a segment costs resident memory only for the parts lookups actually visit.
final class SegmentBytes: @unchecked Sendable {
    // Safety: `bytes` is written only before `init` (by the sink it adopts) or mapped PROT_READ, never mutated afterwards,
    // and released only in `deinit`, when no reader can hold the object any more.
    let bytes: UnsafeRawBufferPointer
    private let isMapped: Bool

    /// Maps the file at `path` read-only. Cache files are replaced by rename, never rewritten in place, so the
    /// mapping stays valid (and unchanged) even when another process replaces or deletes the file.
    init(mapping path: String) throws {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw IndexCacheError.unreadable(path: path, errno: errno) }
        defer { close(fd) }
        var status = stat()
        guard fstat(fd, &status) == 0 else { throw IndexCacheError.unreadable(path: path, errno: errno) }
        let size = Int(status.st_size)
        guard size >= SegmentLayout.trailerSize else { throw IndexCacheError.damaged(path: path, reason: "shorter than its trailer") }
        guard let address = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0), address != MAP_FAILED else {
            throw IndexCacheError.unreadable(path: path, errno: errno)
        }
        // Lookups jump to one bucket at a time: reading ahead around it would only fill memory.
        _ = madvise(address, size, MADV_RANDOM)
        bytes = UnsafeRawBufferPointer(start: address, count: size)
        isMapped = true
    }

    /// Takes over the heap block a `MemorySegmentSink` wrote.
    init(adopting sink: MemorySegmentSink) {
        bytes = UnsafeRawBufferPointer(sink.takeBytes())
        isMapped = false
    }

    deinit {
        if isMapped {
            munmap(UnsafeMutableRawPointer(mutating: bytes.baseAddress), bytes.count)
        } else {
            bytes.baseAddress.map { UnsafeMutableRawPointer(mutating: $0).deallocate() }
        }
    }
}
