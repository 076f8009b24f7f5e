/// scrypt cost parameters used to derive a key-wrapping key from a repository password.
///
/// Stored in each key file, so a repository can hold keys made with different costs.
public struct KeyDerivationParameters: Sendable, Hashable, Codable {
    /// scrypt N (CPU/memory cost); a power of two.
    public var rounds: Int
    /// scrypt r (block size).
    public var blockSize: Int
    /// scrypt p (parallelism).
    public var parallelism: Int

    /// N = 2^17, r = 8, p = 1: about 128 MiB and a few hundred milliseconds per unlock (OWASP guidance).
    public static let `default` = KeyDerivationParameters(rounds: 1 << 17, blockSize: 8, parallelism: 1)

    /// N = 2^10: fast and weak, for tests only.
    public static let insecureFastForTesting = KeyDerivationParameters(rounds: 1 << 10, blockSize: 8, parallelism: 1)

    /// Creates parameters; `validate()` checks them.
    public init(rounds: Int, blockSize: Int, parallelism: Int) {
        self.rounds = rounds
        self.blockSize = blockSize
        self.parallelism = parallelism
    }

    /// Throws `ChunkStoreError.invalidParameters` unless N is a power of two ≥ 2 and r, p are in 1...64.
    public func validate() throws {
        guard rounds >= 2, rounds.nonzeroBitCount == 1, rounds <= 1 << 24, (1...64).contains(blockSize),
            (1...64).contains(parallelism)
        else {
            throw ChunkStoreError.invalidParameters(
                "scrypt N must be a power of two in 2...2^24, r and p in 1...64 (got \(rounds)/\(blockSize)/\(parallelism))")
        }
    }
}
