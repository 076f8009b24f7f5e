/// What checks a secret against its stored hash, and hashes one: the slow work `PasswordHashingPool` keeps off the
/// threads that answer requests. `SecretHasher` (scrypt) is the implementation; tests pass one they can hold.
public protocol SecretVerifying: Sendable {
    /// The storable hash of `secret`.
    func hash(_ secret: String) throws -> String
    /// Whether `secret` matches `stored`; never throws, a malformed hash simply does not match.
    func verify(_ secret: String, against stored: String) -> Bool
}

extension SecretHasher: SecretVerifying {}
