import Foundation

/// What a backup job protects.
public struct BackupScope: Sendable, Hashable, Codable {
    /// Back up every user's OneDrive.
    public var allUsers: Bool
    /// User principal names whose OneDrives are backed up (ignored when `allUsers`).
    public var users: [String]
    /// Back up every site collection of the tenant.
    public var allSites: Bool
    /// Absolute site URLs (`https://contoso.sharepoint.com/sites/Finance`); their subsites are included.
    public var sites: [String]

    /// Creates a scope.
    public init(allUsers: Bool = false, users: [String] = [], allSites: Bool = false, sites: [String] = []) {
        self.allUsers = allUsers
        self.users = users
        self.allSites = allSites
        self.sites = sites
    }

    /// The whole tenant: every OneDrive and every site.
    public static let entireOrganization = BackupScope(allUsers: true, allSites: true)

    /// Whether the scope selects any OneDrive.
    public var includesOneDrive: Bool { allUsers || !users.isEmpty }
    /// Whether the scope selects any SharePoint site.
    public var includesSharePoint: Bool { allSites || !sites.isEmpty }
}

/// The outcome of the last run of a job, in Veeam's vocabulary.
public enum JobStatus: String, Sendable, Hashable, Codable, CaseIterable {
    case stopped = "Stopped"
    case running = "Running"
    case success = "Success"
    case failed = "Failed"
    case warning = "Warning"
    case notConfigured = "NotConfigured"
    case queued = "Queued"
}

/// A backup job: a scope of one organization written to one repository.
public struct BackupJob: Sendable, Hashable, Codable {
    /// Lifeboat's identifier of the job.
    public var id: UUID
    /// The organization whose data the job backs up.
    public var organizationID: UUID
    /// The repository the job writes to.
    public var repositoryID: UUID
    /// Job name.
    public var name: String
    /// Free text.
    public var description: String
    /// What the job protects.
    public var scope: BackupScope
    /// Disabled jobs are not started by the scheduler (manual starts still work).
    public var isEnabled: Bool
    /// Start time of the last run, if any.
    public var lastRun: Date?
    /// Outcome of the last run.
    public var lastStatus: JobStatus
    /// When the job was created.
    public var createdAt: Date
    /// When the job runs by itself; manual only unless set.
    public var schedule: BackupSchedule
    /// Every scheduled run due up to this instant has been handled (see `JobScheduler`); nil until the job is first
    /// scheduled, when its creation time stands for it.
    public var scheduledThrough: Date?

    /// Creates a job.
    public init(
        id: UUID = UUID(), organizationID: UUID, repositoryID: UUID, name: String, description: String = "",
        scope: BackupScope, isEnabled: Bool = true, lastRun: Date? = nil, lastStatus: JobStatus = .notConfigured,
        createdAt: Date = Date(), schedule: BackupSchedule = .manualOnly, scheduledThrough: Date? = nil
    ) {
        self.schedule = schedule
        self.scheduledThrough = scheduledThrough
        self.id = id
        self.organizationID = organizationID
        self.repositoryID = repositoryID
        self.name = name
        self.description = description
        self.scope = scope
        self.isEnabled = isEnabled
        self.lastRun = lastRun
        self.lastStatus = lastStatus
        self.createdAt = createdAt
    }
}
