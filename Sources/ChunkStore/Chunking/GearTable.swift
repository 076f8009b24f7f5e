import Crypto

/// The 256 random 64-bit values of the FastCDC gear hash, derived from the repository key.
///
/// Keying the table means cut points depend on the key, so chunk sizes do not fingerprint known content.
public struct GearTable: Sendable, Hashable {
    /// The values, indexed by byte.
    public let values: [UInt64]

    /// Expands `seed` (the repository's gear key material) into a table with HKDF-SHA-256.
    public init(seed: SymmetricKey) {
        let expanded = HKDF<SHA256>.deriveKey(
            inputKeyMaterial: seed, info: Array("lifeboat.gear.v1".utf8), outputByteCount: 256 * 8)
        self.values = expanded.withUnsafeBytes { raw in
            (0..<256).map { index in
                var word: UInt64 = 0
                for byte in raw[(index * 8)..<(index * 8 + 8)] { word = word << 8 | UInt64(byte) }
                return word
            }
        }
    }
}
