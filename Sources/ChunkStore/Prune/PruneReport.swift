/// What a prune removed and rewrote (or, for a dry run, would have).
public struct PruneReport: Sendable, Hashable {
    /// True when nothing was changed and the numbers are what a real run would do (new pack bytes estimated).
    public var dryRun: Bool
    /// Pack objects in the store before.
    public var packsBefore = 0
    /// Bytes of those packs.
    public var bytesBefore: Int64 = 0
    /// Packs deleted because no referenced chunk is in them (unindexed packs of interrupted writers included).
    public var packsDeleted = 0
    /// Of `packsDeleted`, packs that no index file named.
    public var unindexedPacksDeleted = 0
    /// Packs whose referenced chunks were copied into new packs before they were deleted.
    public var packsRepacked = 0
    /// Packs left as they were.
    public var packsKept = 0
    /// New packs written to hold the chunks copied out of repacked packs.
    public var packsWritten = 0
    /// Chunks copied (sealed bytes as they were, after verifying them).
    public var chunksCopied = 0
    /// Distinct chunks the index no longer holds afterwards.
    public var chunksRemoved = 0
    /// Bytes of the deleted and repacked packs minus the bytes of the new packs.
    public var bytesFreed: Int64 = 0
    /// Index files replaced by the rewritten index.
    public var indexFilesReplaced = 0
    /// Index files written (zero when the index did not need rewriting).
    public var indexFilesWritten = 0
    /// Packs an index file named that the store no longer holds (none of their chunks referenced), dropped from the index.
    public var missingPacksDropped = 0
    /// Packs no index file names whose table cannot be read: left alone (`check` reports them).
    public var unreadablePacks: [String] = []
    /// What interrupted writes had left in the store (temporary files, incomplete multipart uploads) and was removed;
    /// a dry run removes nothing and leaves it empty.
    public var leftoversRemoved = StoreLeftovers()
    /// Why removing those leftovers failed, when it did (the prune itself still completed).
    public var leftoverCleanupError: String?

    /// An empty report.
    public init(dryRun: Bool) {
        self.dryRun = dryRun
    }

    /// Bytes of pack objects left afterwards.
    public var bytesAfter: Int64 { bytesBefore - bytesFreed }
}
