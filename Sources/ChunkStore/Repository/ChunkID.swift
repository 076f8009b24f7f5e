/// The identity of a chunk: HMAC-SHA-256 of its plaintext under the repository's id key.
///
/// Keyed, so equal ids reveal nothing about content to someone without the repository password.
public struct ChunkID: Hashable, Sendable, Comparable, CustomStringConvertible {
    var digest: Digest32

    init(digest: Digest32) { self.digest = digest }

    /// Creates an id from its 32 raw bytes; traps when `bytes` is not 32 bytes long.
    public init<Bytes: Collection>(bytes: Bytes) where Bytes.Element == UInt8 {
        self.digest = Digest32(bytes: bytes)
    }

    /// Parses 64 hexadecimal digits; returns nil for anything else.
    public init?(hex: String) {
        guard let digest = Digest32(hex: hex) else { return nil }
        self.digest = digest
    }

    /// The 32 raw bytes.
    public var bytes: [UInt8] { digest.bytes }

    /// The id as 64 lowercase hexadecimal digits.
    public var hex: String { digest.hex }

    /// The hexadecimal form.
    public var description: String { hex }

    /// Orders ids by their bytes.
    public static func < (lhs: ChunkID, rhs: ChunkID) -> Bool { lhs.digest < rhs.digest }
}
