import Foundation

/// What a restore (or export) job puts back: items of drives as backed up at one restore point each, and how.
///
/// Dialects build it from their requests (AvePoint paths, Veeam OneDrive lists) after resolving every name to a
/// drive, a restore point and item ids; it is stored with the run as JSON so a worker can execute it later.
public struct RestoreRequest: Sendable, Hashable, Codable {
    /// What happens when the destination already holds an item of the restored item's name.
    public enum DocumentAction: String, Sendable, Hashable, Codable, CaseIterable {
        /// Replace the existing item's content (a new version on top of its history).
        case overwrite
        /// Keep the existing item and restore beside it under a new, clearly marked name.
        case keep
    }

    /// Which versions of each file are restored.
    public enum DocumentVersion: String, Sendable, Hashable, Codable, CaseIterable {
        /// The version current at the point in time.
        case last
        /// Every backed-up version up to the point in time, oldest first, rebuilding the history.
        case all
    }

    /// The organization restored into.
    public var organizationID: UUID
    /// The drives and items restored, each at its restore point.
    public var selections: [RestoreSelection]
    /// Overwrite or keep.
    public var documentAction: DocumentAction
    /// Last or all versions.
    public var documentVersion: DocumentVersion
    /// Skip a selection whose destination drive no longer exists, instead of failing its items.
    public var skipUnresolved: Bool
    /// The Veeam restore session that receives one event per item, if the request came through one.
    public var restoreSessionID: UUID?

    /// Creates a request.
    public init(
        organizationID: UUID, selections: [RestoreSelection], documentAction: DocumentAction = .overwrite,
        documentVersion: DocumentVersion = .last, skipUnresolved: Bool = false, restoreSessionID: UUID? = nil
    ) {
        self.organizationID = organizationID
        self.selections = selections
        self.documentAction = documentAction
        self.documentVersion = documentVersion
        self.skipUnresolved = skipUnresolved
        self.restoreSessionID = restoreSessionID
    }
}

/// Items of one drive as one job backed them up at one restore point.
public struct RestoreSelection: Sendable, Hashable, Codable {
    /// The backup job whose rows are read.
    public var jobID: UUID
    /// The job's restore point (sequence) that defines the point in time.
    public var restorePointSequence: Int64
    /// Graph drive id, of the drive backed up and restored into.
    public var driveID: String
    /// Files and folders to restore (a folder brings its whole subtree); `nil` restores the whole drive.
    public var itemIDs: [String]?

    /// Creates a selection.
    public init(jobID: UUID, restorePointSequence: Int64, driveID: String, itemIDs: [String]?) {
        self.jobID = jobID
        self.restorePointSequence = restorePointSequence
        self.driveID = driveID
        self.itemIDs = itemIDs
    }
}
