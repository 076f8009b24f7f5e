import QuickXorHash

/// The one place the simulator computes content hashes, so every item's `quickXorHash` comes from the same code.
enum QuickXorHashing {
    /// Base64 QuickXorHash of `bytes`.
    static func hash(_ bytes: [UInt8]) -> String {
        QuickXorHasher.hash(bytes)
    }
}
