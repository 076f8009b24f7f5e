import Catalog
import Crypto
import Foundation
import LifeboatModel

/// Issues opaque bearer tokens and resolves them back to principals; only SHA-256 hashes are stored.
///
/// A token issued for a subset of the principal's scopes (client credentials with `scope`) carries that subset after a
/// dot: `<random>.<base64url of the space-separated scopes>`. The stored hash covers the whole token, so the suffix
/// cannot be changed without the token becoming unknown; the catalog keeps no per-token scopes.
public struct TokenIssuer: Sendable {
    /// An access token (and its refresh token) as handed to a client.
    public struct IssuedPair: Sendable {
        public var accessToken: String
        public var refreshToken: String
        public var issuedAt: Date
        public var expiresAt: Date
    }

    /// An access token without a refresh token, as the client-credentials grant hands it out (RFC 6749 §4.4.3).
    public struct IssuedAccess: Sendable {
        public var accessToken: String
        /// The scopes the token opens (canonical spelling, as requested).
        public var scopes: [String]
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

    /// Issues an access token (no refresh token) that opens only `scopes`, for a principal that grants each of them.
    public func issueAccessToken(for principal: Principal, scopes: [String], now: Date = Date()) async throws -> IssuedAccess {
        let suffix = Data(scopes.joined(separator: " ").utf8).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
        let access = Self.randomToken() + "." + suffix
        let expiresAt = now.addingTimeInterval(accessTokenLifetime)
        try await catalog.insertToken(
            IssuedToken(tokenHash: Self.hash(access), principalID: principal.id, isRefresh: false, issuedAt: now, expiresAt: expiresAt))
        return IssuedAccess(accessToken: access, scopes: scopes, issuedAt: now, expiresAt: expiresAt)
    }

    /// The principal an unexpired token of the given kind belongs to, or nil.
    ///
    /// For a token issued with `issueAccessToken(for:scopes:)`, the principal's `scopes` are narrowed to the token's
    /// scopes that the principal still grants.
    public func principal(forToken token: String, refresh: Bool = false, now: Date = Date()) async throws -> Principal? {
        guard let stored = try await catalog.validToken(hash: Self.hash(token), now: now), stored.isRefresh == refresh,
            var principal = try await catalog.principal(id: stored.principalID)
        else {
            return nil
        }
        if let tokenScopes = Self.scopes(carriedBy: token) {
            principal.scopes = tokenScopes.filter(principal.grants)
        }
        return principal
    }

    /// The scopes after a token's dot, or nil for a token that carries none (it opens all its principal's scopes).
    static func scopes(carriedBy token: String) -> [String]? {
        guard let dot = token.firstIndex(of: ".") else { return nil }
        var base64 = token[token.index(after: dot)...].replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        guard let data = Data(base64Encoded: base64) else { return [] }
        return String(decoding: data, as: UTF8.self).split(separator: " ").map(String.init)
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
