import LifeboatModel

/// The scopes a principal can be granted and a route can require; compared case-insensitively.
///
/// The `microsoft365backup.*` names are AvePoint's (its app registrations grant them); `admin` stands for every scope.
public enum APIScope {
    /// Satisfies every scope: Lifeboat's administrators and applications trusted with everything.
    public static let admin = "admin"
    /// `POST /backup/m365/restore/jobs`.
    public static let restoreReadWrite = "microsoft365backup.restore.readwrite.all"
    /// `GET /backup/m365/cloudbackupjobs` and `/{jobId}`.
    public static let jobInfoRead = "microsoft365backup.jobInfo.read.all"
    /// `GET /backup/m365/cloudbackuplicenseconsumption`.
    public static let subscriptionInfoRead = "microsoft365backup.subscriptionInfo.read.all"
    /// `GET /backup/m365/cloudbackupunusualactivitydata`.
    public static let unusualActivityRead = "microsoft365backup.unusualActivity.read.all"
    /// `GET /backup/m365/settings/...`.
    public static let settingsRead = "microsoft365backup.settings.read.all"

    /// Every scope Lifeboat knows, `admin` first; a grant outside this list would never open anything.
    public static let all: [String] = [
        admin, restoreReadWrite, jobInfoRead, subscriptionInfoRead, unusualActivityRead, settingsRead,
    ]

    /// The known scope spelled like `name` in any letter case, in its canonical spelling; nil when unknown.
    public static func canonical(_ name: String) -> String? {
        all.first { $0.lowercased() == name.lowercased() }
    }
}

extension Principal {
    /// Whether the principal may use `scope`: it holds it (in any letter case) or holds `admin`.
    public func grants(_ scope: String) -> Bool {
        scopes.contains { $0.lowercased() == scope.lowercased() || $0.lowercased() == APIScope.admin }
    }
}
