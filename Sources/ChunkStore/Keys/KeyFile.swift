import Crypto
import Foundation
import _CryptoExtras

/// The `keys/<id>` object: the master key material wrapped under a password-derived key.
///
/// Several key files may wrap the same material, one per password.
struct KeyFile: Codable, Sendable {
    static let formatVersion = 1

    var version: Int
    var kdf: String
    var parameters: KeyDerivationParameters
    var salt: Data
    /// AES-GCM combined form (nonce, ciphertext, tag) of the 64-byte material.
    var wrappedMaterial: Data
    var created: Date

    /// Wraps `material` under `password`, binding it to the repository id as associated data.
    static func wrap(
        material: SymmetricKey, password: String, parameters: KeyDerivationParameters, repositoryID: String
    ) throws -> KeyFile {
        try parameters.validate()
        let salt = Data(SymmetricKey(size: .bits256).withUnsafeBytes { Array($0) })
        let wrappingKey = try deriveWrappingKey(password: password, salt: salt, parameters: parameters)
        let plaintext = material.withUnsafeBytes { Data($0) }
        let box = try AES.GCM.seal(plaintext, using: wrappingKey, authenticating: associatedData(repositoryID))
        return KeyFile(
            version: formatVersion, kdf: "scrypt", parameters: parameters, salt: salt,
            wrappedMaterial: box.combined!, created: Date())
    }

    /// Unwraps the material; throws `ChunkStoreError.wrongPassword` when the password does not open it.
    func unwrap(password: String, repositoryID: String, key: String) throws -> SymmetricKey {
        guard version == Self.formatVersion else { throw ChunkStoreError.unsupportedVersion(object: key, version: version) }
        guard kdf == "scrypt" else { throw ChunkStoreError.corruptMetadata(key: key, reason: "unknown KDF '\(kdf)'") }
        try parameters.validate()
        let wrappingKey = try Self.deriveWrappingKey(password: password, salt: salt, parameters: parameters)
        let box: AES.GCM.SealedBox
        do {
            box = try AES.GCM.SealedBox(combined: wrappedMaterial)
        } catch {
            throw ChunkStoreError.corruptMetadata(key: key, reason: "wrapped key is malformed")
        }
        guard let plaintext = try? AES.GCM.open(box, using: wrappingKey, authenticating: Self.associatedData(repositoryID))
        else { throw ChunkStoreError.wrongPassword }
        guard plaintext.count == RepositoryKeys.materialByteCount else {
            throw ChunkStoreError.corruptMetadata(key: key, reason: "master key has \(plaintext.count) bytes")
        }
        return SymmetricKey(data: plaintext)
    }

    private static func deriveWrappingKey(
        password: String, salt: Data, parameters: KeyDerivationParameters
    ) throws -> SymmetricKey {
        try KDF.Scrypt.deriveKey(
            from: Array(password.utf8), salt: salt, outputByteCount: 32, rounds: parameters.rounds,
            blockSize: parameters.blockSize, parallelism: parameters.parallelism)
    }

    private static func associatedData(_ repositoryID: String) -> Data {
        Data("lifeboat.key.v1:\(repositoryID)".utf8)
    }
}
