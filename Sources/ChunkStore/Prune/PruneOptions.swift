/// What `RepositoryPrune.run` removes and rewrites.
public struct PruneOptions: Sendable, Hashable {
    /// Report what would be removed without changing the store (takes only a shared lock).
    public var dryRun: Bool
    /// A pack whose unused share (bytes not holding a referenced chunk, table included) exceeds this percentage
    /// is repacked: its referenced chunks are copied into new packs and it is deleted. 0 repacks every pack with
    /// any unused byte; 100 never repacks for unused space.
    public var maxUnusedPercent: Double
    /// Packs smaller than this (what each flush of a small backup leaves) are merged into full packs when there are
    /// at least two of them.
    public var smallPackSize: Int64
    /// New packs are sealed once they reach this many bytes.
    public var packTargetSize: Int

    /// Repack packs more than 20% unused and merge packs under 4 MiB into 16 MiB packs.
    public init(
        dryRun: Bool = false, maxUnusedPercent: Double = 20, smallPackSize: Int64 = 4 << 20,
        packTargetSize: Int = 16 << 20
    ) {
        self.dryRun = dryRun
        self.maxUnusedPercent = maxUnusedPercent
        self.smallPackSize = smallPackSize
        self.packTargetSize = packTargetSize
    }

    /// Throws `ChunkStoreError.invalidParameters` unless the percentage is in 0...100 and the sizes are positive.
    public func validate() throws {
        guard (0...100).contains(maxUnusedPercent) else {
            throw ChunkStoreError.invalidParameters("the unused share that triggers a repack must be 0...100% (got \(maxUnusedPercent))")
        }
        guard smallPackSize >= 0, packTargetSize > 0 else {
            throw ChunkStoreError.invalidParameters("pack sizes must be positive")
        }
    }
}
