import BackupEngine
import Catalog
import Foundation
import LifeboatModel

/// Turns a checked `RestoreJobForm` into the engine's `RestoreRequest`: the site or OneDrive to a drive of some
/// organization, each library name to one of its drives, the recovery time to each drive's restore point, and every
/// relative path to the item it named then — collecting a field-level problem for everything that does not resolve.
///
/// AvePoint's restore API has no conflict option. Lifeboat restores to the original location with `.overwrite` and
/// `.last`: a live file of the same name gets the backed-up content as a new version on top of its history, so nothing
/// the user has is lost and the backed-up state is what they see.
struct RestoreJobResolver: Sendable {
    let catalog: any CatalogStore
    let pointInTime: PointInTimeResolver

    /// Creates a resolver over a catalog.
    init(catalog: any CatalogStore) {
        self.catalog = catalog
        self.pointInTime = PointInTimeResolver(catalog: catalog)
    }

    /// The request, or the problems that prevent it (in field order); `form.problems` are not repeated.
    ///
    /// Resolves as far as the form allows, so problems of names come back with problems of shape: without a usable
    /// recovery time, or with more than 20 paths, paths are not looked up. Cost: a few catalog queries per library, one
    /// per path component.
    func resolve(_ form: RestoreJobForm) async throws -> (request: RestoreRequest?, problems: [AvePointAPIError]) {
        guard let scope = form.scope, let owner = scope.owner else { return (nil, []) }
        var problems: [AvePointAPIError] = []
        guard let (organizationID, drives) = try await drives(of: owner) else {
            problems.append(AvePointAPIError(field: scope.ownerField, message: Self.unknownOwnerMessage(owner)))
            return (nil, problems)
        }

        // Each target's drive; a library named twice (in any case, or by its URL name) is one drive.
        var targetDrives: [ProtectedDrive?] = []
        for target in scope.targets {
            guard let name = target.libraryName else {
                targetDrives.append(nil)
                continue
            }
            let drive = Self.library(named: name, among: drives, owner: owner)
            if drive == nil {
                problems.append(
                    AvePointAPIError(
                        field: "\(target.field).LibraryName", message: Self.unknownLibraryMessage(name, drives: drives, owner: owner)))
            }
            targetDrives.append(drive)
        }
        let overlapping = Self.overlaps(scope.targets, drives: targetDrives)
        problems += overlapping

        guard let recoveryTime = form.recoveryDateTime, form.pathCount <= RestoreJobForm.maximumPaths else {
            return (nil, problems)
        }
        var points: [String: RestorePoint] = [:]
        var selections: [(drive: String, point: RestorePoint, itemIDs: [String])] = []
        for (target, drive) in zip(scope.targets, targetDrives) {
            guard let drive else { continue }
            let point: RestorePoint
            if let known = points[drive.driveID] {
                point = known
            } else if let found = try await pointInTime.restorePoint(
                holding: drive.driveID, organizationID: organizationID, notAfter: recoveryTime)
            {
                points[drive.driveID] = found
                point = found
            } else {
                let reported = "No backup of \(Self.describe(drive)) was taken at or before \(AvePointDateTime.format(recoveryTime))."
                if !problems.contains(where: { $0.field == "RecoveryDateTime" && $0.message == reported }) {
                    problems.append(AvePointAPIError(field: "RecoveryDateTime", message: reported))
                }
                continue
            }
            var itemIDs: [String] = []
            for path in target.paths where !overlapping.contains(where: { $0.field == path.field }) {
                if let message = try await problem(with: path, in: drive, at: point, itemIDs: &itemIDs) {
                    problems.append(AvePointAPIError(field: path.field, message: message))
                }
            }
            if let index = selections.firstIndex(where: { $0.drive == drive.driveID }) {
                selections[index].itemIDs += itemIDs.filter { !selections[index].itemIDs.contains($0) }
            } else {
                selections.append((drive.driveID, point, itemIDs))
            }
        }
        guard problems.isEmpty, form.problems.isEmpty, !selections.isEmpty else { return (nil, problems) }
        let request = RestoreRequest(
            organizationID: organizationID,
            selections: selections.map {
                RestoreSelection(jobID: $0.point.jobID, restorePointSequence: $0.point.sequence, driveID: $0.drive, itemIDs: $0.itemIDs)
            },
            documentAction: .overwrite, documentVersion: .last, skipUnresolved: false)
        return (request, [])
    }

    // MARK: Owners and libraries

    /// The organization holding the site's libraries or the user's OneDrive, with those drives; nil when no organization
    /// has backed one up. A site URL or UPN names one tenant, so the first organization that knows it is the one.
    private func drives(of owner: RestoreJobForm.Owner) async throws -> (UUID, [ProtectedDrive])? {
        for organization in try await catalog.organizations() {
            let matching = try await catalog.drives(organizationID: organization.id).filter { drive in
                switch owner {
                case .site(let url):
                    drive.kind == .documentLibrary && drive.siteURL.map(Self.normalizedURL) == Self.normalizedURL(url)
                case .oneDrive(let upn):
                    drive.kind == .oneDrive && drive.ownerUPN?.lowercased() == upn.lowercased()
                }
            }
            if !matching.isEmpty { return (organization.id, matching) }
        }
        return nil
    }

    /// The drive a library name means: the drive's name or the last segment of its URL (`Shared Documents`), in any
    /// case; for a OneDrive, also `Documents`, the name its only library has in SharePoint.
    private static func library(named name: String, among drives: [ProtectedDrive], owner: RestoreJobForm.Owner) -> ProtectedDrive? {
        let wanted = name.lowercased()
        if case .oneDrive = owner, wanted == "documents" { return drives.first }
        return drives.first { $0.name.lowercased() == wanted }
            ?? drives.first { urlName(of: $0)?.lowercased() == wanted }
    }

    private static func urlName(of drive: ProtectedDrive) -> String? {
        drive.webURL.split(separator: "/").last.flatMap { String($0).removingPercentEncoding }
    }

    /// A site URL compared as SharePoint does: case-insensitive, percent-decoded, without a trailing slash.
    static func normalizedURL(_ url: String) -> String {
        var text = (url.removingPercentEncoding ?? url).trimmingCharacters(in: .whitespaces).lowercased()
        while text.hasSuffix("/") { text.removeLast() }
        return text
    }

    private static func unknownOwnerMessage(_ owner: RestoreJobForm.Owner) -> String {
        switch owner {
        case .site(let url): "'Site Url' '\(url)' does not match any backed-up site or subsite."
        case .oneDrive(let upn): "'One Drive Upn' '\(upn)' does not match any backed-up OneDrive."
        }
    }

    private static func unknownLibraryMessage(_ name: String, drives: [ProtectedDrive], owner: RestoreJobForm.Owner) -> String {
        switch owner {
        case .site(let url):
            let known = drives.map(\.name).sorted().map { "'\($0)'" }.joined(separator: ", ")
            return "'Library Name' '\(name)' is not a backed-up library of site '\(url)'; its libraries are \(known)."
        case .oneDrive(let upn):
            return "'Library Name' '\(name)' is not the library of OneDrive '\(upn)'; use 'Documents'."
        }
    }

    private static func describe(_ drive: ProtectedDrive) -> String {
        switch drive.kind {
        case .oneDrive: "the OneDrive of '\(drive.ownerUPN ?? drive.name)'"
        case .documentLibrary: "library '\(drive.name)' of site '\(drive.siteURL ?? drive.webURL)'"
        }
    }

    // MARK: Paths

    /// Paths that overlap another path of the same library: a path below a listed folder (restoring the folder already
    /// restores it), or the same path twice. Compared case-insensitively, component by component; the redundant path —
    /// the child, or the second listing — is the one reported.
    private static func overlaps(_ targets: [RestoreJobForm.Target], drives: [ProtectedDrive?]) -> [AvePointAPIError] {
        var listed: [(library: String, components: [String], path: RestoreJobForm.Path)] = []
        for (target, drive) in zip(targets, drives) {
            guard let library = drive?.driveID ?? target.libraryName.map({ "name:" + $0.lowercased() }) else { continue }
            listed += target.paths.map { (library, $0.components.map { $0.lowercased() }, $0) }
        }
        var problems: [AvePointAPIError] = []
        for (index, entry) in listed.enumerated() {
            let sameLibrary = listed.filter { $0.library == entry.library }
            if let earlier = listed[..<index].first(where: { $0.library == entry.library && $0.components == entry.components }) {
                problems.append(
                    AvePointAPIError(
                        field: entry.path.field,
                        message: "'Relative Path' '\(entry.path.relativePath)' is already listed at \(earlier.path.field)."))
            } else if let parent = sameLibrary.first(where: {
                $0.path.isFolder && $0.components.count < entry.components.count && entry.components.starts(with: $0.components)
            }) {
                problems.append(
                    AvePointAPIError(
                        field: entry.path.field,
                        message: "'Relative Path' '\(entry.path.relativePath)' is inside folder '\(parent.path.relativePath)' "
                            + "(\(parent.path.field)); parent and child paths cannot be included in the same request."))
            }
        }
        return problems
    }

    /// The problem with one path at the restore point, or nil after adding the item it names to `itemIDs`.
    private func problem(
        with path: RestoreJobForm.Path, in drive: ProtectedDrive, at point: RestorePoint, itemIDs: inout [String]
    ) async throws -> String? {
        let when = AvePointDateTime.format(point.backupTime)
        guard let item = try await pointInTime.item(atPath: path.components.joined(separator: "/"), driveID: drive.driveID, in: point)
        else {
            return "'Relative Path' '\(path.relativePath)' does not exist in \(Self.describe(drive)) in the backup of \(when)."
        }
        if path.isFolder, !item.isFolder {
            return "'Relative Path' '\(path.relativePath)' is a file, not a folder, in the backup of \(when); list it under 'Files'."
        }
        if !path.isFolder, item.isFolder {
            return "'Relative Path' '\(path.relativePath)' is a folder, not a file, in the backup of \(when); list it under 'Folders'."
        }
        if !itemIDs.contains(item.itemID) { itemIDs.append(item.itemID) }
        return nil
    }
}
