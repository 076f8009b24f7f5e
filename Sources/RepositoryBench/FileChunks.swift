#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import NIOCore

/// A file's bytes in 1 MiB buffers, read as the consumer pulls (never the whole file in memory).
///
/// Reads straight into one `ByteBuffer` that is reused whenever the consumer has let go of the previous one (the
/// repository's chunker copies what it needs), as restic and borg reuse their read buffers.
struct FileChunks: AsyncSequence, Sendable {
    typealias Element = ByteBuffer
    let url: URL

    static let bufferSize = 1 << 20

    func makeAsyncIterator() -> Iterator { Iterator(path: url.path) }

    struct Iterator: AsyncIteratorProtocol {
        let path: String
        var descriptor: Int32 = -1
        var buffer = ByteBuffer()
        var finished = false

        mutating func next() async throws -> ByteBuffer? {
            guard !finished else { return nil }
            if descriptor < 0 {
                descriptor = open(path, O_RDONLY)
                guard descriptor >= 0 else { throw FileChunksError.cannotOpen(path: path, errno: errno) }
            }
            buffer.clear(minimumCapacity: FileChunks.bufferSize)
            var failure: Int32 = 0
            let count = buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: FileChunks.bufferSize) { target in
                var total = 0
                while total < FileChunks.bufferSize {
                    let read = read(descriptor, target.baseAddress! + total, FileChunks.bufferSize - total)
                    if read < 0 {
                        if errno == EINTR { continue }
                        failure = errno
                        return total
                    }
                    if read == 0 { break }
                    total += read
                }
                return total
            }
            if failure != 0 {
                close(descriptor)
                finished = true
                throw FileChunksError.cannotRead(path: path, errno: failure)
            }
            guard count > 0 else {
                close(descriptor)
                finished = true
                return nil
            }
            return buffer
        }
    }
}

enum FileChunksError: Error {
    case cannotOpen(path: String, errno: Int32)
    case cannotRead(path: String, errno: Int32)
}
