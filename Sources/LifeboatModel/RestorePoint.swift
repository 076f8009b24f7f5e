import Foundation

/// A committed, browsable point in time of one backup job.
public struct RestorePoint: Sendable, Hashable, Codable {
    /// Lifeboat's id of the restore point.
    public var id: UUID
    /// Monotonic sequence number across the catalog; item versions refer to it.
    public var sequence: Int64
    /// The job whose run created it.
    public var jobID: UUID
    /// The run that created it.
    public var runID: UUID
    /// The organization it belongs to.
    public var organizationID: UUID
    /// The repository holding its content.
    public var repositoryID: UUID
    /// When the backup was taken (the run's start: every item state in it was read at or after this time).
    public var backupTime: Date
    /// Whether it holds OneDrive data.
    public var isOneDrive: Bool
    /// Whether it holds SharePoint data.
    public var isSharePoint: Bool

    /// Creates a restore point record.
    public init(
        id: UUID = UUID(), sequence: Int64, jobID: UUID, runID: UUID, organizationID: UUID, repositoryID: UUID,
        backupTime: Date, isOneDrive: Bool, isSharePoint: Bool
    ) {
        self.id = id
        self.sequence = sequence
        self.jobID = jobID
        self.runID = runID
        self.organizationID = organizationID
        self.repositoryID = repositoryID
        self.backupTime = backupTime
        self.isOneDrive = isOneDrive
        self.isSharePoint = isSharePoint
    }
}
