import NIOCore

/// SplitMix64: a tiny deterministic generator so test inputs are the same on every run and platform.
struct SeededGenerator: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// `count` pseudo-random bytes.
    mutating func bytes(_ count: Int) -> ByteBuffer {
        var buffer = ByteBufferAllocator().buffer(capacity: count)
        var remaining = count
        while remaining >= 8 {
            buffer.writeInteger(next(), endianness: .little)
            remaining -= 8
        }
        for _ in 0..<remaining { buffer.writeInteger(UInt8(truncatingIfNeeded: next())) }
        return buffer
    }

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
