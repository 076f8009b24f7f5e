import NIOCore

/// A streaming FastCDC chunker (normalized chunking, Xia et al. 2020) over a keyed gear table.
///
/// Feed it buffers with `append(_:)`, drain `nextChunk()` until nil, and after the last buffer call `finish()`
/// and drain again. Cut points depend only on the bytes, never on how they were split into buffers.
///
/// Each input byte is hashed where it lies and copied once, into the chunk being assembled; the chunker holds at most
/// `maximumSize` bytes of its own plus the buffer last appended. It reuses its chunk buffer when the caller has let
/// go of the previous chunk, so a stream costs one allocation, not one per chunk. A returned chunk's buffer keeps one
/// zero byte before its first readable byte, which `ChunkSealer` uses as the compression marker of an uncompressed
/// chunk instead of copying the chunk behind one.
public struct Chunker: Sendable {
    /// The size bounds in use.
    public let parameters: ChunkingParameters
    private let gear: [UInt64]
    private let maskSmall: UInt64
    private let maskLarge: UInt64
    /// The chunk being assembled: the marker byte at index 0, then its bytes so far (readable from index 1).
    private var current: ByteBuffer
    /// The gear hash over the current chunk's bytes from `minimumSize` on.
    private var hash: UInt64 = 0
    private var input: ByteBuffer
    private var finished = false

    private static let empty = ByteBuffer()

    /// Creates a chunker; `parameters` must be valid (see `ChunkingParameters.validate()`).
    public init(parameters: ChunkingParameters, gear: GearTable) {
        self.parameters = parameters
        self.gear = gear.values
        let bits = parameters.averageSize.trailingZeroBitCount
        // Normalization level 2: a harder mask before the average size, an easier one after it.
        // Masks take the top bits of the hash, the bits that mix the most preceding bytes.
        self.maskSmall = Self.topBits(bits + 2)
        self.maskLarge = Self.topBits(max(bits - 2, 1))
        self.current = Self.empty
        self.input = Self.empty
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
        while input.readableBytes > 0 {
            if current.writerIndex == 0 { startChunk() }
            let (consumed, isCut) = scan()
            var taken = input.readSlice(length: consumed)!
            current.writeBuffer(&taken)
            if input.readableBytes == 0 { input = Self.empty }
            if isCut { return emit() }
        }
        if finished, current.readableBytes > 0 { return emit() }
        return nil
    }

    private mutating func startChunk() {
        if current.capacity == 0 {
            current = ByteBufferAllocator().buffer(capacity: parameters.averageSize + 1)
        } else {
            current.clear()
        }
        current.writeInteger(UInt8(0))
        current.moveReaderIndex(forwardBy: 1)
        hash = 0
    }

    /// Hands out the assembled chunk; the next chunk starts in the same storage if the caller has released this one.
    private mutating func emit() -> ByteBuffer {
        let chunk = current
        current.moveReaderIndex(to: 0)
        current.moveWriterIndex(to: 0)
        return chunk
    }

    /// Hashes `input` from its reader index as a continuation of the current chunk; returns how many bytes belong to
    /// the chunk and whether they complete it.
    private mutating func scan() -> (consumed: Int, isCut: Bool) {
        let position = current.readableBytes
        let minimum = parameters.minimumSize
        let average = parameters.averageSize
        let maximum = parameters.maximumSize
        let maskSmall = self.maskSmall
        let maskLarge = self.maskLarge
        var hash = self.hash
        let result: (Int, Bool) = input.withUnsafeReadableBytes { bytes in
            gear.withUnsafeBufferPointer { gear in
                let end = position + bytes.count
                // `index` counts bytes of the chunk; bytes before the minimum size are not hashed.
                var index = max(position, min(minimum, end))
                let smallEnd = min(average, end)
                while index < smallEnd {
                    hash = (hash &<< 1) &+ gear[Int(bytes[index &- position])]
                    index &+= 1
                    if hash & maskSmall == 0 { return (index - position, true) }
                }
                let largeEnd = min(maximum, end)
                while index < largeEnd {
                    hash = (hash &<< 1) &+ gear[Int(bytes[index &- position])]
                    index &+= 1
                    if hash & maskLarge == 0 { return (index - position, true) }
                }
                return (index - position, index == maximum)
            }
        }
        self.hash = hash
        return result
    }

    private static func topBits(_ count: Int) -> UInt64 {
        count >= 64 ? ~0 : ~(~UInt64(0) >> UInt64(count))
    }
}
