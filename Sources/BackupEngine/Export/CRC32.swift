import NIOCore

/// CRC-32 as used by ZIP, gzip and PNG (IEEE 802.3, reflected, polynomial 0xEDB88320), computed incrementally.
///
/// Slicing-by-8: eight 256-entry tables let each step consume eight bytes, which is what makes it fast enough
/// (well over a GB/s in release builds) to run on every exported byte.
struct CRC32: Sendable {
    /// The running register, kept inverted as the algorithm requires; `checksum` undoes the inversion.
    private var register: UInt32 = 0xFFFF_FFFF

    init() {}

    /// The CRC-32 of everything passed to `update` so far (0 for nothing).
    var checksum: UInt32 { ~register }

    /// The CRC-32 of `bytes` in one call.
    static func checksum(_ bytes: some Sequence<UInt8>) -> UInt32 {
        var crc = CRC32()
        crc.update(bytes)
        return crc.checksum
    }

    /// Adds the readable bytes of `buffer`, without moving its reader index.
    mutating func update(_ buffer: ByteBuffer) {
        buffer.withUnsafeReadableBytes { update($0) }
    }

    /// Adds `bytes`.
    mutating func update(_ bytes: some Sequence<UInt8>) {
        let handled: Void? = bytes.withContiguousStorageIfAvailable { update(UnsafeRawBufferPointer($0)) }
        if handled == nil {
            let copy = Array(bytes)
            copy.withUnsafeBytes { update($0) }
        }
    }

    /// Adds `bytes`.
    mutating func update(_ bytes: UnsafeRawBufferPointer) {
        guard var pointer = bytes.baseAddress, !bytes.isEmpty else { return }
        var remaining = bytes.count
        var crc = register
        Self.tables.withUnsafeBufferPointer { tables in
            let t = tables.baseAddress!
            while remaining >= 8 {
                let word = UInt64(littleEndian: pointer.loadUnaligned(as: UInt64.self))
                let low = UInt32(truncatingIfNeeded: word) ^ crc
                let high = UInt32(truncatingIfNeeded: word &>> 32)
                crc = t[7 &* 256 &+ Int(low & 0xFF)]
                    ^ t[6 &* 256 &+ Int((low &>> 8) & 0xFF)]
                    ^ t[5 &* 256 &+ Int((low &>> 16) & 0xFF)]
                    ^ t[4 &* 256 &+ Int(low &>> 24)]
                    ^ t[3 &* 256 &+ Int(high & 0xFF)]
                    ^ t[2 &* 256 &+ Int((high &>> 8) & 0xFF)]
                    ^ t[1 &* 256 &+ Int((high &>> 16) & 0xFF)]
                    ^ t[Int(high &>> 24)]
                pointer += 8
                remaining &-= 8
            }
            while remaining > 0 {
                let byte = pointer.load(as: UInt8.self)
                crc = t[Int((crc ^ UInt32(byte)) & 0xFF)] ^ (crc &>> 8)
                pointer += 1
                remaining &-= 1
            }
        }
        register = crc
    }

    /// Table k maps a byte to its CRC contribution k bytes further back, flattened as `tables[k * 256 + byte]`.
    private static let tables: [UInt32] = {
        var tables = [UInt32](repeating: 0, count: 8 * 256)
        for byte in 0..<256 {
            var crc = UInt32(byte)
            for _ in 0..<8 {
                crc = crc & 1 == 1 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1
            }
            tables[byte] = crc
        }
        for slice in 1..<8 {
            for byte in 0..<256 {
                let previous = tables[(slice - 1) * 256 + byte]
                tables[slice * 256 + byte] = (previous >> 8) ^ tables[Int(previous & 0xFF)]
            }
        }
        return tables
    }()
}
