import Foundation
import Logging
import SQLKit

/// Brings a catalog's schema up to date by applying, in order, the migrations it has not applied yet.
///
/// Each migration runs in its own write transaction and re-checks `schema_migrations` inside it, so two processes
/// opening the same catalog at once apply each migration exactly once. Re-running is a no-op.
struct CatalogMigrator: Sendable {
    let database: any CatalogDatabase
    let migrations: [CatalogMigration]
    let logger: Logger

    /// Applies pending migrations; returns the versions applied by this call.
    @discardableResult
    func migrate() async throws -> [Int] {
        try await database.write { db in
            try await db.raw("""
                CREATE TABLE IF NOT EXISTS schema_migrations (
                    version BIGINT PRIMARY KEY,
                    name TEXT NOT NULL,
                    applied_at BIGINT NOT NULL
                )
                """).run()
        }
        let supported = migrations.map(\.version).max() ?? 0
        let found = try await appliedVersions().max() ?? 0
        if found > supported {
            throw CatalogError.schemaTooNew(found: found, supported: supported)
        }
        var applied: [Int] = []
        let dialect = database.dialect
        for migration in migrations.sorted(by: { $0.version < $1.version }) {
            let didApply: Bool
            do {
                didApply = try await database.transaction { db in
                    let existing = try await db.raw(
                        "SELECT version FROM schema_migrations WHERE version = \(bind: migration.version)"
                    ).first()
                    guard existing == nil else { return false }
                    for statement in migration.statements {
                        try await db.raw(SQLQueryString(dialect.expand(statement))).run()
                    }
                    try await db.raw("""
                        INSERT INTO schema_migrations (version, name, applied_at)
                        VALUES (\(bind: migration.version), \(bind: migration.name), \(bind: Date().catalogMilliseconds))
                        """).run()
                    return true
                }
            } catch let error as CatalogError {
                throw error
            } catch {
                throw CatalogError.migrationFailed(version: migration.version, name: migration.name, reason: "\(error)")
            }
            if didApply {
                applied.append(migration.version)
                logger.info(
                    "Applied catalog migration",
                    metadata: ["lifeboat.catalog.migration": "\(migration.version) \(migration.name)"]
                )
            }
        }
        return applied
    }

    /// Versions recorded in `schema_migrations`.
    func appliedVersions() async throws -> [Int] {
        try await database.write { db in
            try await db.raw("SELECT version FROM schema_migrations ORDER BY version").all(decodingColumn: "version", as: Int.self)
        }
    }
}
