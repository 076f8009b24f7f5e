import NIOCore

/// SplitMix64 (Steele, Lea and Flood, 2014): a tiny generator whose whole output is determined by its seed, so simulated
/// tenants, benchmark corpora, crash-test streams and property-test inputs are the same on every run and platform.
///
/// Not for anything secret: keys and nonces come from the system's generator.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    private var state: UInt64

    /// Creates a generator whose whole output is determined by `seed`.
    public init(seed: UInt64) { state = seed }

    /// The next 64 bits.
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// `count` bytes: one draw written little-endian per eight bytes, then one draw per remaining byte (its low byte).
    /// The layout is fixed: the crash test regenerates in one process the streams another process wrote.
    public mutating func byteBuffer(_ count: Int) -> ByteBuffer {
        var buffer = ByteBufferAllocator().buffer(capacity: count)
        var remaining = count
        while remaining >= 8 {
            buffer.writeInteger(next(), endianness: .little)
            remaining -= 8
        }
        for _ in 0..<remaining { buffer.writeInteger(UInt8(truncatingIfNeeded: next())) }
        return buffer
    }
}
