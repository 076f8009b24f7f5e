import Foundation
import LifeboatModel
import SQLKit

extension SQLCatalog {
    /// Inserts a principal with its secret hash; names are unique.
    public func insertPrincipal(_ credential: StoredCredential) async throws {
        let principal = credential.principal
        let scopes = try Self.json(principal.scopes)
        try await database.write { db in
            try await db.raw("""
                INSERT INTO principals (id, name, kind, scopes, secret_hash, created_at)
                VALUES (\(bind: principal.id.catalogText), \(bind: principal.name), \(bind: principal.kind.rawValue),
                        \(bind: scopes), \(bind: credential.secretHash), \(bind: principal.createdAt.catalogMilliseconds))
                """).run()
        }
    }

    /// The principal named `name` with its secret hash, or `nil`.
    public func credential(name: String) async throws -> StoredCredential? {
        try await database.read { db in
            try await db.raw("""
                SELECT id, name, kind, scopes, secret_hash, created_at FROM principals WHERE name = \(bind: name)
                """).first().map { row in
                StoredCredential(principal: try Self.decodePrincipal(row), secretHash: try row.string("secret_hash"))
            }
        }
    }

    /// One principal, or `nil`.
    public func principal(id: UUID) async throws -> Principal? {
        try await database.read { db in
            try await db.raw("""
                SELECT id, name, kind, scopes, created_at FROM principals WHERE id = \(bind: id.catalogText)
                """).first().map(Self.decodePrincipal)
        }
    }

    /// Every principal (users and applications), by name; secrets are not read.
    public func principals() async throws -> [Principal] {
        try await database.read { db in
            try await db.raw("SELECT id, name, kind, scopes, created_at FROM principals ORDER BY name").all()
                .map(Self.decodePrincipal)
        }
    }

    /// Stores an issued token by its hash; its principal must exist.
    public func insertToken(_ token: IssuedToken) async throws {
        try await database.write { db in
            try await db.raw("""
                INSERT INTO tokens (token_hash, principal_id, is_refresh, issued_at, expires_at)
                VALUES (\(bind: token.tokenHash), \(bind: token.principalID.catalogText), \(bind: token.isRefresh),
                        \(bind: token.issuedAt.catalogMilliseconds), \(bind: token.expiresAt.catalogMilliseconds))
                """).run()
        }
    }

    /// The token with this hash if it expires strictly after `now`, else `nil`.
    public func validToken(hash: String, now: Date) async throws -> IssuedToken? {
        try await database.read { db in
            try await db.raw("""
                SELECT token_hash, principal_id, is_refresh, issued_at, expires_at FROM tokens
                WHERE token_hash = \(bind: hash) AND expires_at > \(bind: now.catalogMilliseconds)
                """).first().map { row in
                IssuedToken(
                    tokenHash: try row.string("token_hash"),
                    principalID: try row.uuid("principal_id", table: "tokens"),
                    isRefresh: try row.bool("is_refresh"),
                    issuedAt: try row.date("issued_at"),
                    expiresAt: try row.date("expires_at")
                )
            }
        }
    }

    /// Forgets a token (logout or refresh rotation); unknown hashes are ignored.
    public func deleteToken(hash: String) async throws {
        try await database.write { db in
            try await db.raw("DELETE FROM tokens WHERE token_hash = \(bind: hash)").run()
        }
    }

    /// Deletes tokens that expired at or before `now`; returns how many (for a periodic sweep).
    public func deleteExpiredTokens(now: Date) async throws -> Int {
        try await database.write { db in
            try await db.raw("""
                DELETE FROM tokens WHERE expires_at <= \(bind: now.catalogMilliseconds) RETURNING token_hash
                """).all().count
        }
    }

    static func decodePrincipal(_ row: any SQLRow) throws -> Principal {
        Principal(
            id: try row.uuid("id", table: "principals"),
            name: try row.string("name"),
            kind: try row.enumValue("kind", table: "principals", as: Principal.Kind.self),
            scopes: try row.json("scopes", table: "principals", as: [String].self),
            createdAt: try row.date("created_at")
        )
    }
}
