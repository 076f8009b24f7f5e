import Foundation
import Hummingbird

/// `RESTLinkHAL`: a relative link to a related resource.
struct RESTLink: Codable, Sendable {
    var href: String
}

/// `RESTExceptionInfo` (v6): the body of every failed Veeam-dialect call.
struct RESTExceptionInfo: Codable, Sendable, ResponseEncodable {
    var message: String
}

/// `OAuthTokenResponse` of `POST /v6/token`.
struct OAuthTokenResponse: Encodable, Sendable, ResponseEncodable {
    var accessToken: String
    var refreshToken: String
    var tokenType: String
    var expiresIn: Int64
    var userName: String
    var issued: Date
    var expires: Date

    enum CodingKeys: String, CodingKey {
        case accessToken = "access_token"
        case refreshToken = "refresh_token"
        case tokenType = "token_type"
        case expiresIn = "expires_in"
        case userName
        case issued = ".issued"
        case expires = ".expires"
    }
}

/// `RestOrganizationComposed` as Lifeboat fills it for a Microsoft 365 organization.
struct RESTOrganization: Encodable, Sendable {
    var id: UUID
    var name: String
    var officeName: String
    var type: String
    var region: String
    var isBackedup: Bool
    var firstBackuptime: Date?
    var lastBackuptime: Date?
    var isExchangeOnline: Bool
    var isSharePointOnline: Bool
    var isTeamsOnline: Bool
    var isTeamsChatsOnline: Bool
    var _links: [String: RESTLink]
}

/// `RESTJobSchedulePolicy`: Lifeboat's jobs run when started (scheduling arrives with its own issue).
struct RESTJobSchedulePolicy: Encodable, Sendable {
    var scheduleEnabled: Bool
    var type: String
}

/// `RESTJobItemComposed` for the items a job selects.
struct RESTJobItem: Encodable, Sendable {
    struct User: Encodable, Sendable {
        var id: String
        var name: String
        var displayName: String
        var type: String
    }
    struct Site: Encodable, Sendable {
        var id: String
        var url: String
        var name: String
    }
    var type: String
    var id: String
    var user: User?
    var site: Site?
    var oneDrive: Bool?
    var sites: Bool?
}

/// `RESTJob`.
struct RESTJob: Encodable, Sendable {
    var id: UUID
    var name: String
    var description: String
    var repositoryId: UUID
    var backupType: String
    var selectedItems: [RESTJobItem]
    var excludedItems: [RESTJobItem]
    var isEnabled: Bool
    var lastRun: Date?
    var nextRun: Date?
    var lastStatus: String
    var schedulePolicy: RESTJobSchedulePolicy
    var _links: [String: RESTLink]
}

/// `RESTRestorePoint`.
struct RESTRestorePoint: Encodable, Sendable {
    var id: String
    var repositoryId: UUID
    var backupTime: Date
    var jobId: UUID
    var retrievalId: UUID
    var organizationId: UUID
    var isExchange: Bool
    var isSharePoint: Bool
    var isOneDrive: Bool
    var isTeams: Bool
    var isLongTermCopy: Bool
    var isRetrieved: Bool
    var _links: [String: RESTLink]
}

/// `RESTStartJobOptions`, the body of `POST /v6/Jobs/{id}/start`.
struct RESTStartJobOptions: Decodable, Sendable {
    var full: Bool?
}
