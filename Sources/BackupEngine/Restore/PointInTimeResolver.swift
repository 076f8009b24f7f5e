import Catalog
import Foundation
import LifeboatModel

/// Answers "which backup holds this drive at that time" and "what was at this path then" from the temporal catalog.
///
/// Dialects use it to turn names (site URLs, UPNs, library names, relative paths) and times into the drive ids,
/// restore points and item ids of a `RestoreRequest`.
public struct PointInTimeResolver: Sendable {
    private let catalog: any CatalogStore

    /// Creates a resolver over a catalog.
    public init(catalog: any CatalogStore) {
        self.catalog = catalog
    }

    /// The newest committed restore point, over every job of the organization, taken at or before `time` and holding
    /// `driveID`; `nil` when no backup of the drive precedes `time`. Cost: one query per job of the organization.
    public func restorePoint(holding driveID: String, organizationID: UUID, notAfter time: Date) async throws -> RestorePoint? {
        var best: RestorePoint?
        for job in try await catalog.jobs() where job.organizationID == organizationID {
            // The job's newest point at or before `time` that holds the drive: a job's later point may have dropped it
            // (scope changed), so walk back through its points until one holds it.
            let points = try await catalog.restorePoints(RestorePointFilter(jobID: job.id)).filter { $0.backupTime <= time }
            for point in points where best.map({ point.backupTime > $0.backupTime }) ?? true {
                if try await catalog.rootItem(jobID: job.id, driveID: driveID, at: point.sequence) != nil {
                    best = point
                    break
                }
            }
        }
        return best
    }

    /// The item at `path` (slash-separated, relative to the drive root, matched case-insensitively as OneDrive and
    /// SharePoint do) as `point` saw it; `nil` when nothing was there. An empty path is the root folder.
    public func item(atPath path: String, driveID: String, in point: RestorePoint) async throws -> ItemVersion? {
        guard var current = try await catalog.rootItem(jobID: point.jobID, driveID: driveID, at: point.sequence) else {
            return nil
        }
        for component in Self.components(of: path) {
            guard current.isFolder else { return nil }
            let children = try await catalog.children(
                jobID: point.jobID, driveID: driveID, parentID: current.itemID, at: point.sequence, options: PointInTimeOptions())
            guard let child = children.first(where: { $0.name.lowercased() == component.lowercased() }) else { return nil }
            current = child
        }
        return current
    }

    /// The non-empty components of a slash- or backslash-separated relative path.
    public static func components(of path: String) -> [String] {
        path.split(whereSeparator: { $0 == "/" || $0 == "\\" }).map(String.init).filter { !$0.isEmpty }
    }
}
