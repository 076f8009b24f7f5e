import NIOCore

/// A 32-byte digest held as four big-endian words, so ids hash and compare without heap storage.
struct Digest32: Hashable, Sendable, Comparable {
    var w0: UInt64, w1: UInt64, w2: UInt64, w3: UInt64

    init<Bytes: Collection>(bytes: Bytes) where Bytes.Element == UInt8 {
        precondition(bytes.count == 32, "a Digest32 needs exactly 32 bytes")
        var words: [UInt64] = [0, 0, 0, 0]
        for (position, byte) in bytes.enumerated() {
            words[position / 8] = (words[position / 8] << 8) | UInt64(byte)
        }
        (w0, w1, w2, w3) = (words[0], words[1], words[2], words[3])
    }

    init?(hex: String) {
        let utf8 = Array(hex.utf8)
        guard utf8.count == 64 else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(32)
        var index = 0
        while index < 64 {
            guard let high = Self.nibble(utf8[index]), let low = Self.nibble(utf8[index + 1]) else { return nil }
            bytes.append(high << 4 | low)
            index += 2
        }
        self.init(bytes: bytes)
    }

    /// Reads 32 bytes from `buffer`, or returns nil when fewer are readable.
    init?(reading buffer: inout ByteBuffer) {
        guard buffer.readableBytes >= 32,
            let a = buffer.readInteger(as: UInt64.self), let b = buffer.readInteger(as: UInt64.self),
            let c = buffer.readInteger(as: UInt64.self), let d = buffer.readInteger(as: UInt64.self)
        else { return nil }
        (w0, w1, w2, w3) = (a, b, c, d)
    }

    var bytes: [UInt8] {
        var result: [UInt8] = []
        result.reserveCapacity(32)
        for word in [w0, w1, w2, w3] {
            for shift in stride(from: 56, through: 0, by: -8) { result.append(UInt8(truncatingIfNeeded: word >> UInt64(shift))) }
        }
        return result
    }

    var hex: String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(64)
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    func write(to buffer: inout ByteBuffer) {
        buffer.writeInteger(w0)
        buffer.writeInteger(w1)
        buffer.writeInteger(w2)
        buffer.writeInteger(w3)
    }

    static func < (lhs: Digest32, rhs: Digest32) -> Bool {
        (lhs.w0, lhs.w1, lhs.w2, lhs.w3) < (rhs.w0, rhs.w1, rhs.w2, rhs.w3)
    }

    private static func nibble(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return c - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}
