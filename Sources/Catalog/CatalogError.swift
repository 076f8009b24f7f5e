import Foundation

/// Everything the catalog can fail with, worded so an operator knows what to do next.
public enum CatalogError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A row the caller referred to does not exist (e.g. committing an unknown restore point).
    case notFound(String)
    /// A row the caller tried to add clashes with one that exists (a second backup job of one name).
    case alreadyExists(String)
    /// The caller passed something the catalog cannot store as asked.
    case invalidArgument(String)
    /// A stored value could not be read back (a damaged or hand-edited catalog).
    case corruptRow(table: String, column: String, detail: String)
    /// The organization's Graph secret cannot be decrypted: the catalog was opened with a different key.
    case secretUnreadable(organizationID: UUID)
    /// A schema migration failed and was rolled back.
    case migrationFailed(version: Int, name: String, reason: String)
    /// The catalog was written by a newer Lifeboat whose schema this one does not know.
    case schemaTooNew(found: Int, supported: Int)
    /// The catalog was shut down; no more queries are accepted.
    case closed
    /// A process wrote about a run it no longer holds: its lease lapsed (the process was suspended or could not renew)
    /// and another process ended the run or took it over; the write was refused.
    case leaseLost(runID: UUID)

    /// A sentence describing the failure and what to do about it.
    public var description: String {
        switch self {
        case .notFound(let what):
            return "\(what) was not found in the catalog."
        case .alreadyExists(let what):
            return "\(what) already exists in the catalog; choose another name."
        case .invalidArgument(let why):
            return "Invalid catalog request: \(why)."
        case .corruptRow(let table, let column, let detail):
            return "The catalog row in \(table).\(column) cannot be read (\(detail)); restore the catalog from a backup or rebuild it from the repository."
        case .secretUnreadable(let organizationID):
            return "The Graph secret of organization \(organizationID) cannot be decrypted; the catalog was opened with a different secret key. Use the original key or set the secret again."
        case .migrationFailed(let version, let name, let reason):
            return "Catalog migration \(version) (\(name)) failed and was rolled back: \(reason)."
        case .schemaTooNew(let found, let supported):
            return "The catalog schema is at version \(found) but this Lifeboat supports up to \(supported); upgrade Lifeboat."
        case .closed:
            return "The catalog has been shut down."
        case .leaseLost(let runID):
            return "Run \(runID) is no longer this process's: its lease lapsed and another process ended or took over the run, so what this process did of it was not recorded. Start the job again if needed."
        }
    }
}
