import Foundation

/// `OAuthTokenResponse`, the answer of `POST /v6/token`; the date keys really begin with a dot.
struct OAuthTokenResponse: Encodable, Sendable {
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

    /// The answer for a freshly issued token pair.
    init(_ pair: TokenIssuer.IssuedPair, userName: String) {
        self.accessToken = pair.accessToken
        self.refreshToken = pair.refreshToken
        self.tokenType = "bearer"
        self.expiresIn = Int64(pair.expiresAt.timeIntervalSince(pair.issuedAt).rounded())
        self.userName = userName
        self.issued = pair.issuedAt
        self.expires = pair.expiresAt
    }
}
