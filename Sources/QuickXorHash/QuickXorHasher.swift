/// Microsoft's QuickXorHash: the content hash OneDrive for Business and SharePoint report as `file.hashes.quickXorHash`.
///
/// The algorithm is a 160-bit circular register where the byte at stream position `k` is XORed in at bit offset
/// `(11 * k) mod 160`; the total length (UInt64, little-endian) is XORed into the last 8 bytes of the 20-byte digest.
/// Because the offset pattern repeats every 160 bytes, this implementation first folds the input into 160 byte lanes
/// (lane `k mod 160`), eight bytes at a time, and only rotates the lanes into the register in `finalize()`.
/// Incremental: call `update` any number of times; the digest does not depend on how the input was split.
public struct QuickXorHasher: Sendable {
    /// Number of bits in the digest.
    static let widthInBits = 160
    /// Bits the insertion point advances per input byte.
    static let shift = 11
    /// Bytes per lane block: the insertion pattern repeats after this many input bytes.
    static let blockSize = 160
    static let wordsPerBlock = blockSize / 8

    /// Lane accumulators: byte `j` of the block (little-endian within each word) holds the XOR of every input byte at
    /// a stream position congruent to `j` modulo 160.
    private var lanes: [UInt64]
    /// Total bytes hashed so far.
    private var length: UInt64

    /// Creates a hasher with no input.
    public init() {
        lanes = [UInt64](repeating: 0, count: Self.wordsPerBlock)
        length = 0
    }

    /// Hashes `bytes` and returns the base64 digest, the form Graph puts in `quickXorHash`.
    public static func hash(_ bytes: [UInt8]) -> String {
        var hasher = QuickXorHasher()
        hasher.update(bytes)
        return hasher.finalizeBase64()
    }

    /// Adds a sequence of bytes; contiguous collections take the fast path.
    public mutating func update(_ bytes: some Sequence<UInt8>) {
        let handled: Void? = bytes.withContiguousStorageIfAvailable { buffer in
            update(UnsafeRawBufferPointer(buffer))
        }
        if handled != nil { return }
        var chunk = [UInt8]()
        chunk.reserveCapacity(4096)
        for byte in bytes {
            chunk.append(byte)
            if chunk.count == 4096 {
                chunk.withUnsafeBytes { update($0) }
                chunk.removeAll(keepingCapacity: true)
            }
        }
        if !chunk.isEmpty { chunk.withUnsafeBytes { update($0) } }
    }

    /// Adds the bytes of a raw buffer: the fast path, folding whole 160-byte blocks as 64-bit words.
    public mutating func update(_ buffer: UnsafeRawBufferPointer) {
        guard buffer.count > 0 else { return }
        var index = 0
        let count = buffer.count
        var phase = Int(length % UInt64(Self.blockSize))
        length &+= UInt64(count)
        lanes.withUnsafeMutableBytes { laneBytes in
            // Bytes until the stream position is a multiple of 160 again.
            while phase != 0 && index < count {
                laneBytes[phase] ^= buffer[index]
                index += 1
                phase += 1
                if phase == Self.blockSize { phase = 0 }
            }
            let laneWords = laneBytes.bindMemory(to: UInt64.self)
            // Whole blocks: twenty unaligned word loads per 160 bytes, kept in registers.
            if count - index >= Self.blockSize {
                var w0 = laneWords[0], w1 = laneWords[1], w2 = laneWords[2], w3 = laneWords[3], w4 = laneWords[4]
                var w5 = laneWords[5], w6 = laneWords[6], w7 = laneWords[7], w8 = laneWords[8], w9 = laneWords[9]
                var w10 = laneWords[10], w11 = laneWords[11], w12 = laneWords[12], w13 = laneWords[13], w14 = laneWords[14]
                var w15 = laneWords[15], w16 = laneWords[16], w17 = laneWords[17], w18 = laneWords[18], w19 = laneWords[19]
                while count - index >= Self.blockSize {
                    let base = buffer.baseAddress! + index
                    func load(_ word: Int) -> UInt64 {
                        UInt64(littleEndian: base.loadUnaligned(fromByteOffset: word &* 8, as: UInt64.self))
                    }
                    w0 ^= load(0); w1 ^= load(1); w2 ^= load(2); w3 ^= load(3); w4 ^= load(4)
                    w5 ^= load(5); w6 ^= load(6); w7 ^= load(7); w8 ^= load(8); w9 ^= load(9)
                    w10 ^= load(10); w11 ^= load(11); w12 ^= load(12); w13 ^= load(13); w14 ^= load(14)
                    w15 ^= load(15); w16 ^= load(16); w17 ^= load(17); w18 ^= load(18); w19 ^= load(19)
                    index += Self.blockSize
                }
                laneWords[0] = w0; laneWords[1] = w1; laneWords[2] = w2; laneWords[3] = w3; laneWords[4] = w4
                laneWords[5] = w5; laneWords[6] = w6; laneWords[7] = w7; laneWords[8] = w8; laneWords[9] = w9
                laneWords[10] = w10; laneWords[11] = w11; laneWords[12] = w12; laneWords[13] = w13; laneWords[14] = w14
                laneWords[15] = w15; laneWords[16] = w16; laneWords[17] = w17; laneWords[18] = w18; laneWords[19] = w19
            }
            while index < count {
                laneBytes[phase] ^= buffer[index]
                index += 1
                phase += 1
            }
        }
    }

    /// Returns the 20-byte digest of everything added so far; the hasher stays usable.
    public func finalize() -> [UInt8] {
        // The register as 160 bits in three words; the top word only uses its low 32 bits.
        var register: (UInt64, UInt64, UInt64) = (0, 0, 0)
        lanes.withUnsafeBytes { laneBytes in
            for lane in 0..<Self.blockSize {
                let byte = laneBytes[lane]
                if byte == 0 { continue }
                let offset = (lane * Self.shift) % Self.widthInBits
                // Spread the byte's 8 bits into a 160-bit value rotated left by `offset`.
                for bit in 0..<8 where (byte >> bit) & 1 == 1 {
                    let position = (offset + bit) % Self.widthInBits
                    let mask = UInt64(1) << UInt64(position % 64)
                    switch position / 64 {
                    case 0: register.0 ^= mask
                    case 1: register.1 ^= mask
                    default: register.2 ^= mask
                    }
                }
            }
        }
        var digest = [UInt8](repeating: 0, count: Self.widthInBits / 8)
        for i in 0..<8 {
            digest[i] = UInt8(truncatingIfNeeded: register.0 >> UInt64(i * 8))
            digest[8 + i] = UInt8(truncatingIfNeeded: register.1 >> UInt64(i * 8))
        }
        for i in 0..<4 {
            digest[16 + i] = UInt8(truncatingIfNeeded: register.2 >> UInt64(i * 8))
        }
        for i in 0..<8 {
            digest[12 + i] ^= UInt8(truncatingIfNeeded: length >> UInt64(i * 8))
        }
        return digest
    }

    /// Returns the digest base64-encoded, exactly as Graph reports it in `file.hashes.quickXorHash`.
    public func finalizeBase64() -> String {
        Base64.encode(finalize())
    }
}
