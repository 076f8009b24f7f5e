import NIOCore

/// A streaming FastCDC chunker (normalized chunking, Xia et al. 2020) over a keyed gear table.
///
/// Feed it buffers with `append(_:)`, drain `nextChunk()` until nil, and after the last buffer call `finish()`
/// and drain again. It holds at most `maximumSize` bytes of its own plus the buffer last appended.
/// Cut points depend only on the bytes, never on how they were split into buffers.
public struct Chunker: Sendable {
    /// The size bounds in use.
    public let parameters: ChunkingParameters
    private let gear: [UInt64]
    private let maskSmall: UInt64
    private let maskLarge: UInt64
    private var pending: ByteBuffer
    private var input: ByteBuffer
    private var finished = false

    /// Creates a chunker; `parameters` must be valid (see `ChunkingParameters.validate()`).
    public init(parameters: ChunkingParameters, gear: GearTable) {
        self.parameters = parameters
        self.gear = gear.values
        let bits = parameters.averageSize.trailingZeroBitCount
        // Normalization level 2: a harder mask before the average size, an easier one after it.
        // Masks take the top bits of the hash, the bits that mix the most preceding bytes.
        self.maskSmall = Self.topBits(bits + 2)
        self.maskLarge = Self.topBits(max(bits - 2, 1))
        self.pending = ByteBufferAllocator().buffer(capacity: 0)
        self.input = ByteBufferAllocator().buffer(capacity: 0)
    }

    /// Queues `buffer`; call `nextChunk()` until it returns nil before appending again.
    public mutating func append(_ buffer: ByteBuffer) {
        precondition(!finished, "append after finish")
        if input.readableBytes == 0 {
            input = buffer
        } else {
            input.writeImmutableBuffer(buffer)
        }
    }

    /// Marks the end of the stream so `nextChunk()` also emits the tail.
    public mutating func finish() {
        finished = true
    }

    /// Returns the next complete chunk, or nil when more input (or `finish()`) is needed.
    public mutating func nextChunk() -> ByteBuffer? {
        let maximum = parameters.maximumSize
        if pending.readableBytes < maximum, input.readableBytes > 0 {
            let take = min(maximum - pending.readableBytes, input.readableBytes)
            var slice = input.readSlice(length: take)!
            pending.writeBuffer(&slice)
        }
        guard pending.readableBytes > 0 else { return nil }
        guard pending.readableBytes == maximum || (finished && input.readableBytes == 0) else { return nil }
        let length = cutPoint()
        // Copy the chunk out so the pending buffer stays uniquely owned and can be reused.
        let chunk = ByteBuffer(bytes: pending.readableBytesView.prefix(length))
        pending.moveReaderIndex(forwardBy: length)
        pending.discardReadBytes()
        return chunk
    }

    /// Finds the length of the chunk starting at the beginning of `pending` (whose size is the max, or the tail).
    private func cutPoint() -> Int {
        let available = pending.readableBytes
        let minimum = parameters.minimumSize
        if available <= minimum { return available }
        let normal = min(parameters.averageSize, available)
        let limit = min(parameters.maximumSize, available)
        let maskSmall = self.maskSmall
        let maskLarge = self.maskLarge
        return pending.withUnsafeReadableBytes { bytes in
            gear.withUnsafeBufferPointer { gear in
                var hash: UInt64 = 0
                var index = minimum
                while index < normal {
                    hash = (hash &<< 1) &+ gear[Int(bytes[index])]
                    if hash & maskSmall == 0 { return index + 1 }
                    index += 1
                }
                while index < limit {
                    hash = (hash &<< 1) &+ gear[Int(bytes[index])]
                    if hash & maskLarge == 0 { return index + 1 }
                    index += 1
                }
                return limit
            }
        }
    }

    private static func topBits(_ count: Int) -> UInt64 {
        count >= 64 ? ~0 : ~(~UInt64(0) >> UInt64(count))
    }
}
