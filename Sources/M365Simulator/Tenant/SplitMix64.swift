import SeededRandom

/// What the simulator draws from its seeded generator: Graph-shaped ids and file content.
extension SplitMix64 {
    /// A GUID string (upper-case hex, 8-4-4-4-12) drawn from the generator.
    mutating func guid() -> String {
        let a = next(), b = next()
        func hex(_ v: UInt64, _ digits: Int) -> String {
            let s = String(v, radix: 16, uppercase: false)
            return String(repeating: "0", count: max(0, digits - s.count)) + s
        }
        return "\(hex(a >> 32, 8))-\(hex((a >> 16) & 0xFFFF, 4))-\(hex(a & 0xFFFF, 4))-\(hex(b >> 48, 4))-\(hex(b & 0xFFFF_FFFF_FFFF, 12))"
    }

    /// A Graph-style driveItem id: "01" followed by 32 upper-case base32 characters.
    mutating func itemID() -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")
        var out = "01"
        for _ in 0..<32 { out.append(alphabet[Int(next() % 32)]) }
        return out
    }

    /// A Graph-style drive id: "b!" followed by 64 base64url characters.
    mutating func driveID() -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
        var out = "b!"
        for _ in 0..<64 { out.append(alphabet[Int(next() % 64)]) }
        return out
    }

    /// Fills `count` bytes of pseudo-random content, eight bytes per step.
    mutating func bytes(_ count: Int) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: count)
        out.withUnsafeMutableBytes { raw in
            var i = 0
            while i + 8 <= count {
                raw.storeBytes(of: next(), toByteOffset: i, as: UInt64.self)
                i += 8
            }
            var last = next()
            while i < count {
                raw[i] = UInt8(truncatingIfNeeded: last)
                last >>= 8
                i += 1
            }
        }
        return out
    }
}
