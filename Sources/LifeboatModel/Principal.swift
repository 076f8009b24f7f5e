import Foundation

/// Someone (an admin user or an app registration) who may call Lifeboat's API.
public struct Principal: Sendable, Hashable, Codable {
    /// Whether the principal signs in with a password (Veeam dialect) or client credentials (AvePoint dialect).
    public enum Kind: String, Sendable, Hashable, Codable {
        case user
        case application
    }

    /// Lifeboat's id of the principal.
    public var id: UUID
    /// User name, or the app registration's client id.
    public var name: String
    /// User or application.
    public var kind: Kind
    /// Scopes granted (`microsoft365backup.restore.readwrite.all`, ...); users with `admin` get every scope.
    public var scopes: [String]
    /// When it was created.
    public var createdAt: Date

    /// Creates a principal.
    public init(id: UUID = UUID(), name: String, kind: Kind, scopes: [String], createdAt: Date = Date()) {
        self.id = id
        self.name = name
        self.kind = kind
        self.scopes = scopes
        self.createdAt = createdAt
    }
}

/// An issued bearer token, as the catalog keeps it (the token itself is stored only as a hash).
public struct IssuedToken: Sendable, Hashable, Codable {
    /// SHA-256 of the token, hex.
    public var tokenHash: String
    /// Whom it authenticates.
    public var principalID: UUID
    /// Access or refresh token.
    public var isRefresh: Bool
    /// When it was issued.
    public var issuedAt: Date
    /// When it stops being accepted.
    public var expiresAt: Date

    /// Creates a token record.
    public init(tokenHash: String, principalID: UUID, isRefresh: Bool, issuedAt: Date, expiresAt: Date) {
        self.tokenHash = tokenHash
        self.principalID = principalID
        self.isRefresh = isRefresh
        self.issuedAt = issuedAt
        self.expiresAt = expiresAt
    }
}
