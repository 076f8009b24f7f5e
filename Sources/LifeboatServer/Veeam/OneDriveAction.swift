import Foundation
import LifeboatModel

/// The body of `POST /v3/RestoreSessions/{id}/Organization/OneDrives/Action` (seed 002): one action wrapper holding
/// the OneDrives and the options. Property names and enum values match in any letter case.
///
/// The Office 365 and on-premises credentials an action may carry are accepted and ignored: Lifeboat writes with the
/// organization's app registration, and never stores or logs them.
struct OneDriveAction: Sendable {
    enum Kind: String, Sendable {
        /// Restore to where the items were, in the same OneDrives.
        case restoreToOriginalLocation
        /// Download the items as a zip.
        case save
    }

    var kind: Kind
    var documentAction: RestoreRequest.DocumentAction
    var documentVersion: RestoreRequest.DocumentVersion
    var skipUnresolved: Bool
    /// The OneDrives' ids as the session's OneDrive listing gives them (Graph drive ids).
    var oneDriveIDs: [String]

    /// Parses and validates a body; every refusal is a `RequestError` naming the field.
    init(parsing bytes: [UInt8]) throws {
        let body = try CaseInsensitiveJSON(
            parsing: bytes, expecting: #"{"restoreToOriginalLocation": {"DocumentAction", "DocumentVersion", "SkipUnresolved", "OneDrives": [...]}}"#)
        let actions = body.keys
        guard actions.count == 1, let name = actions.first else {
            throw RequestError.invalidBody(
                actions.isEmpty ? "no action given; send restoreToOriginalLocation or save"
                    : "exactly one action is allowed, got \(actions.count)")
        }
        guard let kind = [Kind.restoreToOriginalLocation, .save].first(where: { $0.rawValue.lowercased() == name }) else {
            throw RequestError.invalidField(name: name, reason: "unknown action; Lifeboat performs restoreToOriginalLocation and save")
        }
        guard let options = try body.object(name, field: kind.rawValue) else {
            throw RequestError.invalidField(name: kind.rawValue, reason: "expected an object with the action's options")
        }
        try self.init(kind: kind, options: options)
    }

    /// Parses the body of v6's `POST .../Organization/OneDrives/restore` (`RESTBulkRestoreConfig`): the options
    /// without a wrapper, always a restore to the original location of the version at the point in time.
    init(parsingBulkRestore bytes: [UInt8]) throws {
        let options = try CaseInsensitiveJSON(
            parsing: bytes, expecting: #"RESTBulkRestoreConfig {"documentAction", "skipUnresolved", "oneDrives": [...]}"#)
        try self.init(kind: .restoreToOriginalLocation, options: options)
        documentVersion = .last
    }

    private init(kind: Kind, options: CaseInsensitiveJSON) throws {
        self.kind = kind
        documentAction = try Self.enumValue(options, "DocumentAction", default: .overwrite)
        documentVersion = try Self.enumValue(options, "DocumentVersion", default: .last)
        skipUnresolved = try options.bool("SkipUnresolved", field: "SkipUnresolved") ?? false
        guard let drives = try options.objects("OneDrives", field: "OneDrives"), !drives.isEmpty else {
            throw RequestError.invalidField(name: "OneDrives", reason: "list at least one OneDrive of the restore session")
        }
        oneDriveIDs = try drives.enumerated().map { index, drive in
            guard let id = try drive.string("id", field: "OneDrives[\(index)].id"), !id.isEmpty else {
                throw RequestError.invalidField(name: "OneDrives[\(index)].id", reason: "required")
            }
            return id
        }
    }

    private static func enumValue<Value: RawRepresentable & CaseIterable>(
        _ options: CaseInsensitiveJSON, _ field: String, default fallback: Value
    ) throws -> Value where Value.RawValue == String {
        guard let raw = try options.string(field, field: field) else { return fallback }
        guard let value = Value.allCases.first(where: { $0.rawValue.lowercased() == raw.lowercased() }) else {
            let allowed = Value.allCases.map(\.rawValue).joined(separator: ", ")
            throw RequestError.invalidField(name: field, reason: "'\(raw)' is not one of \(allowed)")
        }
        return value
    }
}
