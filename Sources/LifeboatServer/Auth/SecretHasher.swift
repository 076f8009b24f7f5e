import Crypto
import Foundation
import _CryptoExtras

/// Hashes passwords and client secrets with scrypt for storage, and verifies them in constant time.
///
/// Stored form: `scrypt$<log2 N>$<r>$<p>$<salt base64>$<digest base64>`.
public struct SecretHasher: Sendable {
    /// log2 of scrypt's cost parameter N.
    public var costLog2: Int
    public var blockSize: Int
    public var parallelism: Int

    /// Creates a hasher; the defaults (N = 2^15, r = 8, p = 1) take tens of milliseconds per hash.
    public init(costLog2: Int = 15, blockSize: Int = 8, parallelism: Int = 1) {
        self.costLog2 = costLog2
        self.blockSize = blockSize
        self.parallelism = parallelism
    }

    /// The storable hash of a secret, with a fresh random salt.
    public func hash(_ secret: String) throws -> String {
        let salt = SymmetricKey(size: .bits128).withUnsafeBytes { Data($0) }
        let digest = try derive(secret, salt: salt, costLog2: costLog2, blockSize: blockSize, parallelism: parallelism)
        return ["scrypt", "\(costLog2)", "\(blockSize)", "\(parallelism)", salt.base64EncodedString(), digest.base64EncodedString()]
            .joined(separator: "$")
    }

    /// Whether `secret` matches a stored hash; malformed hashes never match.
    public func verify(_ secret: String, against stored: String) -> Bool {
        let parts = stored.split(separator: "$").map(String.init)
        guard parts.count == 6, parts[0] == "scrypt", let cost = Int(parts[1]), let block = Int(parts[2]),
            let parallel = Int(parts[3]), (10...20).contains(cost), let salt = Data(base64Encoded: parts[4]),
            let expected = Data(base64Encoded: parts[5]),
            let actual = try? derive(secret, salt: salt, costLog2: cost, blockSize: block, parallelism: parallel)
        else { return false }
        return ConstantTime.equal(actual, expected)
    }

    private func derive(_ secret: String, salt: Data, costLog2: Int, blockSize: Int, parallelism: Int) throws -> Data {
        let key = try KDF.Scrypt.deriveKey(
            from: Data(secret.utf8), salt: salt, outputByteCount: 32, rounds: 1 << costLog2, blockSize: blockSize,
            parallelism: parallelism)
        return key.withUnsafeBytes { Data($0) }
    }
}

/// Comparisons whose duration does not depend on where the inputs differ.
enum ConstantTime {
    static func equal(_ lhs: some DataProtocol, _ rhs: some DataProtocol) -> Bool {
        let left = Array(lhs)
        let right = Array(rhs)
        guard left.count == right.count else { return false }
        var difference: UInt8 = 0
        for index in left.indices { difference |= left[index] ^ right[index] }
        return difference == 0
    }
}
