import Foundation
import LifeboatModel

/// `RESTSharePointBulkRestoreStatistics`, which Veeam's v6 document gives as the answer of the bulk OneDrive restore:
/// an overall status and, per OneDrive, its status and the items that could not be restored (`RESTRestoreObject`).
struct RESTSharePointBulkRestoreStatistics: Encodable, Sendable {
    /// `Success`, `Warning` or `Failed`.
    var status: String
    var details: [OneDriveDetail]
    var error: String?

    struct OneDriveDetail: Encodable, Sendable {
        var oneDrive: RESTOneDrive
        var status: String
        var error: String?
        var details: CommonStatistics
    }

    /// `RESTSharePointCommonRestoreStatistics`.
    struct CommonStatistics: Encodable, Sendable {
        var failedRestrictionsCount: Int64?
        var restoreIssues: [RestoreIssue]
    }

    /// `RESTRestoreObject`: one item that failed.
    struct RestoreIssue: Encodable, Sendable {
        var id: String
        var path: String
        var title: String
        var type: String
        var warnings: [String]
        var error: String

        init(_ error: RunError) {
            id = UUID().uuidString.lowercased()
            path = error.itemPath ?? ""
            title = error.itemPath.map { String($0.split(separator: "/").last ?? Substring($0)) } ?? ""
            type = "Item"
            warnings = []
            self.error = error.message
        }
    }

    /// Veeam's status word for a finished restore job.
    static func status(_ state: JobRunState) -> String {
        switch state {
        case .succeeded: "Success"
        case .warning: "Warning"
        default: "Failed"
        }
    }
}
