import Catalog
import Crypto
import Foundation
import LifeboatModel

/// Issues opaque bearer tokens and resolves them back to principals; only SHA-256 hashes are stored.
public struct TokenIssuer: Sendable {
    /// An access token (and its refresh token) as handed to a client.
    public struct IssuedPair: Sendable {
        public var accessToken: String
        public var refreshToken: String
        public var issuedAt: Date
        public var expiresAt: Date
    }

    private let catalog: any CatalogStore
    /// How long access tokens live.
    public let accessTokenLifetime: TimeInterval
    /// How long refresh tokens live.
    public let refreshTokenLifetime: TimeInterval

    /// Creates an issuer; Veeam's default access-token lifetime is 60 minutes.
    public init(catalog: any CatalogStore, accessTokenLifetime: TimeInterval = 3600, refreshTokenLifetime: TimeInterval = 14 * 86400) {
        self.catalog = catalog
        self.accessTokenLifetime = accessTokenLifetime
        self.refreshTokenLifetime = refreshTokenLifetime
    }

    /// Issues a new access and refresh token for a principal.
    public func issue(for principal: Principal, now: Date = Date()) async throws -> IssuedPair {
        let access = Self.randomToken()
        let refresh = Self.randomToken()
        try await catalog.insertToken(
            IssuedToken(
                tokenHash: Self.hash(access), principalID: principal.id, isRefresh: false, issuedAt: now,
                expiresAt: now.addingTimeInterval(accessTokenLifetime)))
        try await catalog.insertToken(
            IssuedToken(
                tokenHash: Self.hash(refresh), principalID: principal.id, isRefresh: true, issuedAt: now,
                expiresAt: now.addingTimeInterval(refreshTokenLifetime)))
        return IssuedPair(
            accessToken: access, refreshToken: refresh, issuedAt: now, expiresAt: now.addingTimeInterval(accessTokenLifetime))
    }

    /// The principal an unexpired token of the given kind belongs to, or nil.
    public func principal(forToken token: String, refresh: Bool = false, now: Date = Date()) async throws -> Principal? {
        guard let stored = try await catalog.validToken(hash: Self.hash(token), now: now), stored.isRefresh == refresh else {
            return nil
        }
        return try await catalog.principal(id: stored.principalID)
    }

    /// Revokes a token (refresh tokens are single-use).
    public func revoke(_ token: String) async throws {
        try await catalog.deleteToken(hash: Self.hash(token))
    }

    static func randomToken() -> String {
        SymmetricKey(size: .bits256).withUnsafeBytes { Data($0) }.base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    static func hash(_ token: String) -> String {
        SHA256.hash(data: Data(token.utf8)).map { String(format: "%02x", $0) }.joined()
    }
}
