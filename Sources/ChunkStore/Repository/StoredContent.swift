/// The result of storing a stream: where it lives and how much it grew the repository.
public struct StoredContent: Sendable {
    /// The recipe to read the content back; durable only after `Repository.flush()`.
    public var manifest: ContentManifest
    /// Plaintext bytes of chunks that were not already in the repository (0 when fully deduplicated).
    public var newBytes: Int64

    /// Creates a result.
    public init(manifest: ContentManifest, newBytes: Int64) {
        self.manifest = manifest
        self.newBytes = newBytes
    }
}
