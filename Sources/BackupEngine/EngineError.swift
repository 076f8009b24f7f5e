import Foundation
import LifeboatModel

/// Failures of backup, restore and export work that a caller (CLI, HTTP dialect) maps to a message or a status.
public enum EngineError: Error, Sendable, Equatable, CustomStringConvertible {
    /// No job with this id.
    case jobNotFound(UUID)
    /// No organization with this id.
    case organizationNotFound(UUID)
    /// No repository with this id.
    case repositoryNotFound(UUID)
    /// The job already has a queued or running run.
    case jobAlreadyRunning(UUID)
    /// The organization has no Graph secret stored.
    case missingGraphSecret(organization: String)
    /// The repository could not be opened or written.
    case repositoryUnavailable(String)
    /// The run could not complete (nothing of it was committed).
    case runFailed(String)
    /// The run backed up nothing it was asked for (every user, site or drive of its scope failed), so it made no
    /// restore point.
    case nothingBackedUp(String)
    /// The organization already has `limit` restore or export jobs queued or running.
    case tooManyRestoreJobs(limit: Int)
    /// A restore or export request names something the catalog cannot resolve.
    case invalidRestoreRequest(String)
    /// A run ended (its state is the one it ended in) but the catalog refused to record its end (a full disk): the run
    /// shows as running until the next start of its job ends it, once its lease lapsed.
    case runEndNotRecorded(JobRun, reason: String)
    /// A catalog row's content manifest cannot be parsed, so the chunks it uses are unknown.
    case unreadableContentManifest(item: String, reason: String)

    public var description: String {
        switch self {
        case .jobNotFound(let id): return "No backup job has id \(id)."
        case .organizationNotFound(let id): return "No organization has id \(id)."
        case .repositoryNotFound(let id): return "No backup repository has id \(id)."
        case .jobAlreadyRunning(let id): return "Backup job \(id) is already running."
        case .missingGraphSecret(let name): return "Organization \(name) has no Microsoft Graph client secret configured."
        case .repositoryUnavailable(let detail): return "The backup repository is unavailable: \(detail)"
        case .runFailed(let detail): return "The run failed and nothing of it was kept: \(detail)"
        case .nothingBackedUp(let detail):
            return "Nothing the job asks for was backed up (\(detail)), so no restore point was made."
        case .tooManyRestoreJobs(let limit):
            return "There are already \(limit) restore/export jobs running, cannot start new restore job."
        case .invalidRestoreRequest(let detail): return "The restore request is invalid: \(detail)"
        case .runEndNotRecorded(let run, let reason):
            return "Run \(run.externalID) ended \(run.state.rawValue), but the catalog could not record its end (\(reason)); "
                + "it shows as running until the job is started again, a minute or more from now, which ends it."
        case .unreadableContentManifest(let item, let reason):
            return "The catalog's content record of \(item) is unreadable (\(reason)); which repository data it uses is unknown, "
                + "so its repository can be neither checked against the catalog nor pruned."
        }
    }
}
