/// Size bounds for content-defined chunking (FastCDC); stored in the repository `config`.
///
/// Changing them for an existing repository would break deduplication, so they are fixed at initialization.
public struct ChunkingParameters: Sendable, Hashable, Codable {
    /// No chunk is smaller than this, except the last (or only) chunk of a stream.
    public var minimumSize: Int
    /// The target average; normalized chunking keeps most chunks near it. Must be a power of two.
    public var averageSize: Int
    /// No chunk is larger than this; the chunker buffers at most this many bytes.
    public var maximumSize: Int

    /// 256 KiB / 1 MiB / 4 MiB.
    public static let `default` = ChunkingParameters(minimumSize: 256 << 10, averageSize: 1 << 20, maximumSize: 4 << 20)

    /// Creates parameters; call `validate()` before use.
    public init(minimumSize: Int, averageSize: Int, maximumSize: Int) {
        self.minimumSize = minimumSize
        self.averageSize = averageSize
        self.maximumSize = maximumSize
    }

    /// Throws `ChunkStoreError.invalidParameters` unless 64 ≤ min < avg < max ≤ 64 MiB and avg is a power of two.
    public func validate() throws {
        guard minimumSize >= 64, minimumSize < averageSize, averageSize < maximumSize, maximumSize <= 64 << 20,
            averageSize.nonzeroBitCount == 1
        else {
            throw ChunkStoreError.invalidParameters(
                "chunk sizes must satisfy 64 <= min < avg < max <= 64 MiB with avg a power of two "
                    + "(got \(minimumSize)/\(averageSize)/\(maximumSize))")
        }
    }
}
