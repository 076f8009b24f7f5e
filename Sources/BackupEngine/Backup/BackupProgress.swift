import LifeboatModel

/// Where a backup run is, reported after each delta page so long runs show progress.
public struct BackupProgress: Sendable {
    /// The drive being processed (`Alice Smith's OneDrive`, `Finance / Documents`).
    public var drive: String
    /// Drives done so far and in total.
    public var drivesDone: Int
    public var drivesTotal: Int
    /// Counters of the whole run so far.
    public var counters: RunCounters
}
