import Foundation

/// One `keys/` object described without its secret: which key-derivation cost protects it and when it was made.
public struct RepositoryKeyInfo: Sendable, Hashable {
    /// The object key, e.g. `keys/3f2a…`; `Repository.removeKey(_:)` takes it.
    public var key: String
    /// When the key file was written.
    public var created: Date
    /// The key-derivation function (`scrypt`).
    public var kdf: String
    /// Its cost parameters.
    public var parameters: KeyDerivationParameters
    /// Whether this key file is the one the open repository was unlocked with.
    public var isCurrent: Bool

    /// Creates a description.
    public init(key: String, created: Date, kdf: String, parameters: KeyDerivationParameters, isCurrent: Bool) {
        self.key = key
        self.created = created
        self.kdf = kdf
        self.parameters = parameters
        self.isCurrent = isCurrent
    }
}
