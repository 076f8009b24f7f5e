import Foundation

/// The answer of `POST /connect/token` (RFC 6749 §5.1): a bearer access token, without a refresh token.
struct ClientCredentialsTokenResponse: Encodable, Sendable {
    var accessToken: String
    var expiresIn: Int64
    var tokenType: String
    /// The token's scopes, space-separated.
    var scope: String

    enum CodingKeys: String, CodingKey {
        case accessToken = "access_token"
        case expiresIn = "expires_in"
        case tokenType = "token_type"
        case scope
    }

    /// The answer for a freshly issued token.
    init(_ access: TokenIssuer.IssuedAccess) {
        self.accessToken = access.accessToken
        self.expiresIn = Int64(access.expiresAt.timeIntervalSince(access.issuedAt).rounded())
        self.tokenType = "Bearer"
        self.scope = access.scopes.joined(separator: " ")
    }
}
