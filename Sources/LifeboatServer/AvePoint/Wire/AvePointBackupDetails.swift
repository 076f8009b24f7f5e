import LifeboatModel

/// `PublicApiBackupDetails`: how many objects a job handled, where `totalNumber` = successful + failed + skipped.
///
/// An object is one file or folder:
/// - restore runs: every item restored (successful), skipped (its live copy already matched the backup) or failed,
///   folders of a restored subtree included;
/// - backup runs: every file or folder the run recorded — files added, changed or unchanged, new folders, items
///   renamed or moved, and items found deleted (successful) — and every item or drive that failed. Folders seen
///   unchanged are not counted, and backups skip nothing.
struct AvePointBackupDetails: Encodable, Sendable {
    var totalNumber: Int64
    var failedNumber: Int64
    var successfulNumber: Int64
    var skippedNumber: Int64

    /// The counts of a run.
    init(_ run: JobRun) {
        let counters = run.counters
        let successful: Int
        let skipped: Int
        switch run.kind {
        case .restore, .export:
            successful = counters.itemsRestored
            skipped = counters.itemsSkipped
        case .backup:
            successful = counters.filesAdded + counters.filesChanged + counters.filesUnchanged + counters.foldersProcessed
                + counters.itemsRenamedOrMoved + counters.itemsDeleted
            skipped = 0
        }
        self.successfulNumber = Int64(successful)
        self.failedNumber = Int64(counters.itemsFailed)
        self.skippedNumber = Int64(skipped)
        self.totalNumber = Int64(successful + counters.itemsFailed + skipped)
    }
}
