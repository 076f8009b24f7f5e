import Foundation
import LifeboatModel

/// `RESTRestoreSessionEvent`: one thing that happened in a restore session.
struct RESTRestoreSessionEvent: Encodable, Sendable {
    var id: String
    /// `None`, `Save`, `Export`, `Send`, `Restore` or `View`.
    var type: String
    /// `Running`, `Success`, `Warning`, `Failed`, `Cancelled` or `Skipped`.
    var status: String
    var startTime: Date
    var endTime: Date?
    /// .NET `TimeSpan` text (`hh:mm:ss`), once the event has ended.
    var duration: String?
    var title: String
    var message: String
    var order: Int
    var itemName: String?
    var itemType: String?
    var itemSizeBytes: Int64?
    var source: String?
    var target: String?
    var _links: [String: RESTLink]

    private static let types = ["None", "Save", "Export", "Send", "Restore", "View"]

    /// The event as Veeam describes it; a type outside Veeam's list is `None`.
    init(_ event: RestoreSessionEvent) {
        let id = event.id.veeamID
        let session = event.sessionID.veeamID
        self.id = id
        self.type = Self.types.first { $0.lowercased() == event.type.lowercased() } ?? "None"
        self.status =
            switch event.status {
            case .running: "Running"
            case .success: "Success"
            case .warning: "Warning"
            case .failed: "Failed"
            case .cancelled: "Cancelled"
            case .skipped: "Skipped"
            }
        self.startTime = event.startTime
        self.endTime = event.endTime
        self.duration = event.endTime.map { Self.timeSpan($0.timeIntervalSince(event.startTime)) }
        self.title = event.title
        self.message = event.message
        self.order = event.order
        self.itemName = event.itemName
        self.itemType = event.itemType
        self.itemSizeBytes = event.itemSizeBytes
        self.source = event.source
        self.target = event.target
        self._links = [
            "self": RESTLink(href: "/v6/restoresessions/\(session)/events/\(id)"),
            "restoreSession": RESTLink(href: "/v6/restoresessions/\(session)"),
        ]
    }

    /// `hh:mm:ss` of a duration, whole seconds; days roll into the hours.
    static func timeSpan(_ interval: TimeInterval) -> String {
        let seconds = max(0, Int(interval.rounded()))
        func pad(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
        return "\(pad(seconds / 3600)):\(pad(seconds / 60 % 60)):\(pad(seconds % 60))"
    }
}
