import Foundation

/// A `POST /backup/m365/restore/jobs` body read field by field, as ASP.NET binds it (property names in any case) and
/// checked as AvePoint's validators check it, every problem collected instead of stopping at the first.
///
/// Fields are named as the vendor's validators name them: `ServiceType`, `SiteRestoreScope`,
/// `SiteRestoreScope.RestoreTargets[0].Files[1].RelativePath`; messages read `'Site Restore Scope' must not be empty.`
/// Only the scope matching `serviceType` is read; the other is ignored, as documented. With no usable `serviceType`,
/// every scope sent is checked, so its problems come back in the same answer.
struct RestoreJobForm: Sendable {
    /// The services the endpoint restores (AvePoint's `serviceType` numbers).
    enum Service: Int, Sendable, CaseIterable {
        case sharePointOnline = 1
        case oneDrive = 2
        case microsoft365Groups = 3
        case teams = 6

        /// Whether the service's content is found by site URL (1, 3, 6) rather than by OneDrive owner (2).
        var usesSiteScope: Bool { self != .oneDrive }
    }

    /// Where the content is: a site (and its libraries) or a user's OneDrive.
    enum Owner: Sendable, Hashable {
        case site(url: String)
        case oneDrive(upn: String)
    }

    /// One `siteRestoreScope` or `oneDriveRestoreScope`.
    struct Scope: Sendable {
        /// `SiteRestoreScope` or `OneDriveRestoreScope`.
        var field: String
        /// The site or OneDrive; nil when `siteUrl`/`oneDriveUpn` was unusable (already reported).
        var owner: Owner?
        /// The field of the owner, `SiteRestoreScope.SiteUrl` or `OneDriveRestoreScope.OneDriveUpn`.
        var ownerField: String
        var targets: [Target]

        /// Every path of every target.
        var paths: [Path] { targets.flatMap(\.paths) }
    }

    /// One `restoreTargets` entry.
    struct Target: Sendable {
        /// `SiteRestoreScope.RestoreTargets[0]`.
        var field: String
        /// Nil when unusable (already reported).
        var libraryName: String?
        var paths: [Path]
    }

    /// One `files` or `folders` entry with a usable `relativePath`.
    struct Path: Sendable {
        /// `SiteRestoreScope.RestoreTargets[0].Files[1].RelativePath`.
        var field: String
        /// As sent.
        var relativePath: String
        /// Its non-empty components, `/` or `\` separated.
        var components: [String]
        /// Listed under `folders` (else `files`).
        var isFolder: Bool
    }

    /// AvePoint's cap on file and folder paths across all targets of a request.
    static let maximumPaths = 20

    /// The field named for problems of the body as a whole (not JSON, not an object).
    static let bodyField = "Body"

    /// The service, when `serviceType` is one the endpoint restores.
    private(set) var service: Service?
    /// The recovery point's upper bound, when `recoveryDateTime` is well formed.
    private(set) var recoveryDateTime: Date?
    /// The scope matching `service`, when both are usable; what the resolver works on.
    private(set) var scope: Scope?
    /// How many paths the scopes list, usable or not (the 20-path rule counts them all).
    private(set) var pathCount = 0
    /// Every problem found, in the body's field order.
    private(set) var problems: [AvePointAPIError] = []

    /// Reads a parsed body.
    init(_ body: StrictJSON) {
        guard case .object = body else {
            report(Self.bodyField, "The request body must be a JSON object, not \(body.kindDescription).")
            return
        }
        readServiceType(body["serviceType"])
        readRecoveryDateTime(body["recoveryDateTime"])
        let siteScope = body["siteRestoreScope"]
        let oneDriveScope = body["oneDriveRestoreScope"]
        if let service {
            let (raw, field, ownerKey, ownerField) =
                service.usesSiteScope
                ? (siteScope, "SiteRestoreScope", "siteUrl", "SiteUrl") : (oneDriveScope, "OneDriveRestoreScope", "oneDriveUpn", "OneDriveUpn")
            scope = readScope(raw, field: field, ownerKey: ownerKey, ownerField: ownerField, required: true)
        } else {
            _ = readScope(siteScope, field: "SiteRestoreScope", ownerKey: "siteUrl", ownerField: "SiteUrl", required: false)
            _ = readScope(oneDriveScope, field: "OneDriveRestoreScope", ownerKey: "oneDriveUpn", ownerField: "OneDriveUpn", required: false)
        }
    }

    // MARK: Fields

    private mutating func readServiceType(_ value: StrictJSON?) {
        guard let value, !value.isNull else {
            report("ServiceType", "'Service Type' must not be empty.")
            return
        }
        guard let number = value.integerValue else {
            report("ServiceType", "'Service Type' must be an integer (1, 2, 3 or 6), not \(value.kindDescription).")
            return
        }
        guard let service = Service(rawValue: number) else {
            let named = Self.serviceNames[number].map { " (\($0))" } ?? ""
            report(
                "ServiceType",
                "'Service Type' must be 1 (SharePoint Online), 2 (OneDrive), 3 (Microsoft 365 Groups) or 6 (Teams); "
                    + "\(number)\(named) cannot be restored through this API.")
            return
        }
        self.service = service
    }

    private mutating func readRecoveryDateTime(_ value: StrictJSON?) {
        guard let text = requiredString(value, field: "RecoveryDateTime", display: "Recovery Date Time") else { return }
        guard let date = AvePointDateTime.parse(text) else {
            report(
                "RecoveryDateTime",
                "'Recovery Date Time' must be a UTC time written yyyy-MM-ddTHH:mm:ssZ or yyyy-MM-ddTHH:mm:ss.fffffffZ "
                    + "(for example 2026-02-27T03:54:22Z); '\(text)' is not.")
            return
        }
        recoveryDateTime = date
    }

    private mutating func readScope(
        _ value: StrictJSON?, field: String, ownerKey: String, ownerField: String, required: Bool
    ) -> Scope? {
        let display = Self.displayName(field)
        guard let value, !value.isNull else {
            if required { report(field, "'\(display)' must not be empty.") }
            return nil
        }
        guard case .object = value else {
            report(field, "'\(display)' must be an object, not \(value.kindDescription).")
            return nil
        }
        let owner = requiredString(value[ownerKey], field: "\(field).\(ownerField)", display: Self.displayName(ownerField))
            .map { ownerKey == "siteUrl" ? Owner.site(url: $0) : Owner.oneDrive(upn: $0) }
        var scope = Scope(field: field, owner: owner, ownerField: "\(field).\(ownerField)", targets: [])
        let targetsField = "\(field).RestoreTargets"
        guard let targets = requiredArray(value["restoreTargets"], field: targetsField, display: "Restore Targets") else {
            return scope
        }
        for (index, element) in targets.enumerated() {
            if let target = readTarget(element, field: "\(targetsField)[\(index)]") { scope.targets.append(target) }
        }
        let count = targets.reduce(0) { total, element in
            total + (element["files"]?.arrayValue?.count ?? 0) + (element["folders"]?.arrayValue?.count ?? 0)
        }
        pathCount += count
        if count > Self.maximumPaths {
            report(
                targetsField,
                "The total number of file and folder paths across 'Restore Targets' must not exceed \(Self.maximumPaths); "
                    + "it is \(count).")
        }
        return scope
    }

    private mutating func readTarget(_ value: StrictJSON, field: String) -> Target? {
        guard case .object = value else {
            report(field, "'Restore Targets' entries must be objects, not \(value.kindDescription).")
            return nil
        }
        var target = Target(
            field: field, libraryName: requiredString(value["libraryName"], field: "\(field).LibraryName", display: "Library Name"),
            paths: [])
        var listed = 0
        for (key, name, isFolder) in [("files", "Files", false), ("folders", "Folders", true)] {
            guard let list = value[key], !list.isNull else { continue }
            guard let entries = list.arrayValue else {
                report("\(field).\(name)", "'\(name)' must be an array, not \(list.kindDescription).")
                listed += 1
                continue
            }
            listed += entries.count
            for (index, entry) in entries.enumerated() {
                let entryField = "\(field).\(name)[\(index)]"
                guard case .object = entry else {
                    report(entryField, "'\(name)' entries must be objects with a relativePath, not \(entry.kindDescription).")
                    continue
                }
                let pathField = "\(entryField).RelativePath"
                guard let text = requiredString(entry["relativePath"], field: pathField, display: "Relative Path") else { continue }
                let components = Self.components(of: text)
                guard !components.isEmpty else {
                    report(pathField, "'Relative Path' must name a file or folder inside the library; '\(text)' does not.")
                    continue
                }
                target.paths.append(Path(field: pathField, relativePath: text, components: components, isFolder: isFolder))
            }
        }
        if listed == 0 {
            report(field, "'Files' and 'Folders' must not both be empty: a restore target needs at least one path.")
        }
        return target
    }

    // MARK: Helpers

    /// A string field that must be present and not blank.
    private mutating func requiredString(_ value: StrictJSON?, field: String, display: String) -> String? {
        guard let value, !value.isNull else {
            report(field, "'\(display)' must not be empty.")
            return nil
        }
        guard let text = value.stringValue else {
            report(field, "'\(display)' must be a string, not \(value.kindDescription).")
            return nil
        }
        guard !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            report(field, "'\(display)' must not be empty.")
            return nil
        }
        return text.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// An array field that must be present and not empty.
    private mutating func requiredArray(_ value: StrictJSON?, field: String, display: String) -> [StrictJSON]? {
        guard let value, !value.isNull else {
            report(field, "'\(display)' must not be empty.")
            return nil
        }
        guard let elements = value.arrayValue else {
            report(field, "'\(display)' must be an array, not \(value.kindDescription).")
            return nil
        }
        guard !elements.isEmpty else {
            report(field, "'\(display)' must not be empty.")
            return nil
        }
        return elements
    }

    private mutating func report(_ field: String, _ message: String) {
        problems.append(AvePointAPIError(field: field, message: message))
    }

    /// The non-empty components of a relative path, `/` or `\` separated.
    static func components(of path: String) -> [String] {
        path.split(whereSeparator: { $0 == "/" || $0 == "\\" }).map(String.init)
            .filter { !$0.trimmingCharacters(in: .whitespaces).isEmpty }
    }

    /// A property name as FluentValidation shows it: `SiteRestoreScope` → `Site Restore Scope`.
    static func displayName(_ property: String) -> String {
        var words = ""
        for character in property {
            if character.isUppercase, !words.isEmpty { words.append(" ") }
            words.append(character)
        }
        return words
    }

    /// AvePoint's names of every `serviceType` number, for messages about the ones this endpoint refuses.
    static let serviceNames: [Int: String] = [
        0: "Exchange Online", 1: "SharePoint Online", 2: "OneDrive", 3: "Microsoft 365 Groups", 4: "Project Online",
        5: "Public Folder", 6: "Teams", 7: "Public Folder Metadata", 8: "Private Channel", 9: "Yammer Group",
        10: "Personal Chat", 11: "Power BI", 12: "Power Automate", 13: "Shared Channel", 14: "Power Apps",
    ]
}
