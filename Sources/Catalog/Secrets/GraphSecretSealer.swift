import Crypto
import Foundation

/// Encrypts organizations' Graph client secrets for storage with AES-256-GCM under the catalog's secret key.
///
/// The organization id is bound as authenticated data, so a sealed secret copied to another organization's row
/// fails to open instead of authenticating as that organization.
struct GraphSecretSealer: Sendable {
    // Raw key bytes: `SymmetricKey` is not `Sendable` in this swift-crypto version.
    private let keyBytes: Data

    private var key: SymmetricKey { SymmetricKey(data: keyBytes) }

    /// Creates a sealer; the key must be 256 bits.
    init(key: SymmetricKey) throws {
        guard key.bitCount == 256 else {
            throw CatalogError.invalidArgument("the catalog secret key must be 256 bits, got \(key.bitCount)")
        }
        self.keyBytes = key.withUnsafeBytes { Data($0) }
    }

    /// Nonce, ciphertext and tag of `secret`, ready to store.
    func seal(_ secret: String, organizationID: UUID) throws -> Data {
        let box = try AES.GCM.seal(Data(secret.utf8), using: key, authenticating: Self.context(organizationID))
        guard let combined = box.combined else {
            throw CatalogError.invalidArgument("AES-GCM produced no combined representation")
        }
        return combined
    }

    /// The secret sealed by `seal`; throws `CatalogError.secretUnreadable` under a different key or id.
    func open(_ sealed: Data, organizationID: UUID) throws -> String {
        do {
            let box = try AES.GCM.SealedBox(combined: sealed)
            let plaintext = try AES.GCM.open(box, using: key, authenticating: Self.context(organizationID))
            return String(decoding: plaintext, as: UTF8.self)
        } catch {
            throw CatalogError.secretUnreadable(organizationID: organizationID)
        }
    }

    private static func context(_ organizationID: UUID) -> Data {
        Data("lifeboat.graph-secret:\(organizationID.catalogText)".utf8)
    }
}
