import Foundation
import LifeboatModel

/// `RESTJob`: a backup job of one organization.
struct RESTJob: Encodable, Sendable {
    var id: String
    var name: String
    var description: String
    var repositoryId: String
    /// `EntireOrganization` or `SelectedItems`.
    var backupType: String
    var selectedItems: [RESTJobItem]
    var excludedItems: [RESTJobItem]
    var isEnabled: Bool
    var lastRun: Date?
    var nextRun: Date?
    /// `Stopped`, `Running`, `Success`, `Failed`, `Warning`, `NotConfigured`, `Disconnected` or `Queued`.
    var lastStatus: String
    var schedulePolicy: RESTJobSchedulePolicy
    var _links: [String: RESTLink]

    /// The job with its scope as selected items (none when it protects the entire organization), its schedule, and
    /// `nextRun`, when the scheduler will next start it (nil for a manual-only or disabled job).
    init(_ job: BackupJob, nextRun: Date?) {
        let id = job.id.veeamID
        let entire = job.scope.allUsers && job.scope.allSites
        var items: [RESTJobItem] = []
        if !entire {
            if job.scope.allUsers || job.scope.allSites {
                items.append(
                    .partialOrganization(
                        id: job.organizationID.veeamID, oneDrive: job.scope.allUsers, sites: job.scope.allSites))
            }
            if !job.scope.allUsers {
                items += job.scope.users.map { RESTJobItem.user(principalName: $0) }
            }
            if !job.scope.allSites {
                items += job.scope.sites.map { RESTJobItem.site(url: $0) }
            }
        }
        self.id = id
        self.name = job.name
        self.description = job.description
        self.repositoryId = job.repositoryID.veeamID
        self.backupType = entire ? "EntireOrganization" : "SelectedItems"
        self.selectedItems = items
        self.excludedItems = []
        self.isEnabled = job.isEnabled
        self.lastRun = job.lastRun
        self.nextRun = nextRun
        self.lastStatus = Self.lastStatus(job)
        self.schedulePolicy = RESTJobSchedulePolicy(job.schedule)
        self._links = [
            "self": RESTLink(href: "/v6/Jobs/\(id)"),
            "organization": RESTLink(href: "/v6/Organizations/\(job.organizationID.veeamID)"),
            "backupRepository": RESTLink(href: "/v6/BackupRepositories/\(job.repositoryID.veeamID)"),
            "jobsessions": RESTLink(href: "/v6/Jobs/\(id)/JobSessions"),
        ]
    }

    private enum CodingKeys: String, CodingKey {
        case id, name, description, repositoryId, backupType, selectedItems, excludedItems, isEnabled, lastRun, nextRun
        case lastStatus, schedulePolicy, _links
    }

    /// Encodes every property; `nextRun` as `null` when the job has none (Veeam's answer for a job that does not run
    /// by itself), so a client can tell "not scheduled" from a missing property.
    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(name, forKey: .name)
        try container.encode(description, forKey: .description)
        try container.encode(repositoryId, forKey: .repositoryId)
        try container.encode(backupType, forKey: .backupType)
        try container.encode(selectedItems, forKey: .selectedItems)
        try container.encode(excludedItems, forKey: .excludedItems)
        try container.encode(isEnabled, forKey: .isEnabled)
        try container.encodeIfPresent(lastRun, forKey: .lastRun)
        try container.encode(nextRun, forKey: .nextRun)
        try container.encode(lastStatus, forKey: .lastStatus)
        try container.encode(schedulePolicy, forKey: .schedulePolicy)
        try container.encode(_links, forKey: ._links)
    }

    /// Veeam's status of a job: one that never ran is `Stopped` (idle, with no `lastRun`), as Veeam's own server
    /// answers for a new job; `NotConfigured` would tell a script the job lacks settings it must be given.
    static func lastStatus(_ job: BackupJob) -> String {
        job.lastStatus == .notConfigured && job.lastRun == nil ? JobStatus.stopped.rawValue : job.lastStatus.rawValue
    }
}
