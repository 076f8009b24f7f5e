import Foundation
import LifeboatModel

/// `RESTRestoreSession` (seed 001): a restore session opened by `explore`.
///
/// A working session's `endTime` is .NET's `DateTime.MaxValue`, as in Veeam's own answers.
struct RESTRestoreSession: Encodable, Sendable {
    var id: String
    var name: String
    var organization: String
    /// `Vex`, `Veod`, `Vesp` or `Vet`.
    var type: String
    var creationTime: Date
    /// `9999-12-31T23:59:59.9999999Z` while working.
    var endTime: String
    /// `Working` or `Stopped`.
    var state: String
    /// `Success`, `Warning` or `Failed`.
    var result: String
    var initiatedBy: String
    var scopeName: String
    var clientHost: String
    var _links: [String: RESTLink]

    /// The `endTime` Veeam writes for a session that has not ended.
    static let openEndTime = "9999-12-31T23:59:59.9999999Z"

    /// The session as Veeam describes it; `organizationName` is the explored organization's name.
    init(_ session: RestoreSession, organizationName: String, clientHost: String) {
        let id = session.id.veeamID
        self.id = id
        self.name = session.name
        self.organization = organizationName
        self.type = Self.type(session.kind)
        self.creationTime = session.createdAt
        self.endTime = session.endedAt.map(JSONResponse.timestamp) ?? Self.openEndTime
        self.state = session.state == .working ? "Working" : "Stopped"
        self.result =
            switch session.result {
            case .success: "Success"
            case .warning: "Warning"
            case .failed: "Failed"
            }
        self.initiatedBy = session.initiatedBy
        self.scopeName = ""
        self.clientHost = clientHost
        self._links = [
            "self": RESTLink(href: "/v6/restoresessions/\(id)"),
            "organization": RESTLink(href: "/v6/restoresessions/\(id)/organization"),
            "restoreSessionEvents": RESTLink(href: "/v6/restoresessions/\(id)/events"),
        ]
    }

    /// Veeam's session type of a kind.
    static func type(_ kind: RestoreSessionKind) -> String {
        switch kind {
        case .exchange: "Vex"
        case .oneDrive: "Veod"
        case .sharePoint: "Vesp"
        case .teams: "Vet"
        }
    }

    /// Veeam's session name: `OneDrive restore (Job: Daily - 1/22/2022 2:56:55 PM)`, the time in UTC.
    static func name(kind: RestoreSessionKind, jobName: String, time: Date) -> String {
        let service =
            switch kind {
            case .exchange: "Exchange"
            case .oneDrive: "OneDrive"
            case .sharePoint: "SharePoint"
            case .teams: "Teams"
            }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: time)
        let hour = parts.hour ?? 0
        let clock = "\(hour % 12 == 0 ? 12 : hour % 12):\(twoDigits(parts.minute)):\(twoDigits(parts.second)) \(hour < 12 ? "AM" : "PM")"
        return "\(service) restore (Job: \(jobName) - \(parts.month ?? 1)/\(parts.day ?? 1)/\(parts.year ?? 1) \(clock))"
    }

    private static func twoDigits(_ value: Int?) -> String {
        let value = value ?? 0
        return value < 10 ? "0\(value)" : "\(value)"
    }
}
