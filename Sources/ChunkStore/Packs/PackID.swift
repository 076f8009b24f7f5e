/// The identity of a pack: SHA-256 of its whole blob, which is also where it lives in the store.
struct PackID: Hashable, Sendable, Comparable, CustomStringConvertible {
    var digest: Digest32

    /// The object key, `packs/<first two hex digits>/<64 hex digits>`.
    var objectKey: String {
        let hex = digest.hex
        return "packs/" + hex.prefix(2) + "/" + hex
    }

    /// Parses a pack object key back into an id; nil for keys that are not packs.
    init?(objectKey: String) {
        let parts = objectKey.split(separator: "/")
        guard parts.count == 3, parts[0] == "packs", let digest = Digest32(hex: String(parts[2])),
            parts[1] == parts[2].prefix(2)
        else { return nil }
        self.digest = digest
    }

    init(digest: Digest32) { self.digest = digest }

    var description: String { digest.hex }

    static func < (lhs: PackID, rhs: PackID) -> Bool { lhs.digest < rhs.digest }
}
