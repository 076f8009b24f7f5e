import Crypto

/// The working keys of an unlocked repository, all derived from the 64-byte master key material.
///
/// Key bytes are kept as arrays because `SymmetricKey` is not `Sendable`; a key is rebuilt per use (cheap).
struct RepositoryKeys: Sendable {
    private let encryptionBytes: [UInt8]
    private let chunkIDBytes: [UInt8]
    /// The keyed FastCDC gear table.
    let gear: GearTable

    static let materialByteCount = 64

    /// AES-256-GCM key for chunks, pack tables and index files.
    var encryption: SymmetricKey { SymmetricKey(data: encryptionBytes) }
    /// HMAC-SHA-256 key that turns plaintext into chunk ids.
    var chunkID: SymmetricKey { SymmetricKey(data: chunkIDBytes) }

    /// Derives the keys from master material with HKDF-SHA-256 under distinct labels.
    init(material: SymmetricKey) {
        precondition(material.bitCount == Self.materialByteCount * 8, "master key material must be 64 bytes")
        func derive(_ label: String) -> SymmetricKey {
            HKDF<SHA256>.deriveKey(inputKeyMaterial: material, info: Array(label.utf8), outputByteCount: 32)
        }
        self.encryptionBytes = derive("lifeboat.encryption.v1").withUnsafeBytes { Array($0) }
        self.chunkIDBytes = derive("lifeboat.chunk-id.v1").withUnsafeBytes { Array($0) }
        self.gear = GearTable(seed: derive("lifeboat.gear-seed.v1"))
    }
}
