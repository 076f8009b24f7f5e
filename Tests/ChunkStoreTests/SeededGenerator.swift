import NIOCore
import SeededRandom

/// The shared `SplitMix64`, with what the store tests draw from it, so test inputs are the same on every run and
/// platform (and the same as the crash writer's streams).
struct SeededGenerator: RandomNumberGenerator {
    private var core: SplitMix64

    init(seed: UInt64) { core = SplitMix64(seed: seed) }

    mutating func next() -> UInt64 { core.next() }

    /// `count` pseudo-random bytes.
    mutating func bytes(_ count: Int) -> ByteBuffer { core.byteBuffer(count) }

    /// Splits `buffer` at random points into pieces of 1 byte to `maxPiece` bytes.
    mutating func split(_ buffer: ByteBuffer, maxPiece: Int) -> [ByteBuffer] {
        var rest = buffer
        var pieces: [ByteBuffer] = []
        while rest.readableBytes > 0 {
            let length = min(rest.readableBytes, Int.random(in: 1...maxPiece, using: &self))
            pieces.append(rest.readSlice(length: length)!)
        }
        return pieces
    }
}

/// An async sequence over prepared buffers, standing in for a download stream.
struct BufferSequence: AsyncSequence, Sendable {
    typealias Element = ByteBuffer
    let buffers: [ByteBuffer]

    init(_ buffers: [ByteBuffer]) { self.buffers = buffers }

    struct AsyncIterator: AsyncIteratorProtocol {
        var remaining: ArraySlice<ByteBuffer>
        mutating func next() async throws -> ByteBuffer? { remaining.popFirst() }
    }

    func makeAsyncIterator() -> AsyncIterator { AsyncIterator(remaining: buffers[...]) }
}

/// Drains a read stream into one buffer (test inputs are small enough to compare whole).
func collect(_ stream: AsyncThrowingStream<ByteBuffer, any Error>) async throws -> ByteBuffer {
    var result = ByteBufferAllocator().buffer(capacity: 0)
    for try await var piece in stream { result.writeBuffer(&piece) }
    return result
}
