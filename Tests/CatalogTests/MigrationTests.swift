@testable import Catalog
import Foundation
import LifeboatModel
import LifeboatTestSupport
import SQLKit
import Logging
import Testing

@Suite("Catalog migrations")
struct MigrationTests {
    @Test("reopening a catalog file applies nothing again and keeps its rows")
    func reopenIsNoOp() async throws {
        let temporary = try await TemporaryCatalog.make()
        let seed = try await CatalogSeed.insert(into: temporary.catalog)
        #expect(try await temporary.catalog.schemaVersions() == CatalogMigration.all.map(\.version))
        try await temporary.catalog.shutdown()

        let reopened = try await SQLCatalog.openSQLite(
            path: temporary.path, secretKey: TemporaryCatalog.secretKey, logger: Logger(label: "test")
        )
        #expect(try await reopened.schemaVersions() == CatalogMigration.all.map(\.version))
        let applied = try await CatalogMigrator(
            database: reopened.database, migrations: CatalogMigration.all, logger: Logger(label: "test")
        ).migrate()
        #expect(applied.isEmpty)
        #expect(try await reopened.organizations() == [seed.organization])
        try await reopened.shutdown()
        try FileManager.default.removeItem(at: temporary.directory)
    }

    @Test("a catalog whose schema is newer than this build is refused")
    func newerSchemaRefused() async throws {
        let catalog = try await SQLCatalog.openInMemory()
        let newer = CatalogMigrator(database: catalog.database, migrations: [], logger: Logger(label: "test"))
        await #expect(throws: CatalogError.schemaTooNew(found: 1, supported: 0)) {
            try await newer.migrate()
        }
        try await catalog.shutdown()
    }

    @Test("a failing migration is rolled back and reported with its version")
    func failingMigrationRollsBack() async throws {
        let catalog = try await SQLCatalog.openInMemory()
        let broken = CatalogMigration(
            version: 2, name: "broken", statements: ["CREATE TABLE half_done (id TEXT)", "THIS IS NOT SQL"]
        )
        let migrator = CatalogMigrator(
            database: catalog.database, migrations: CatalogMigration.all + [broken], logger: Logger(label: "test")
        )
        await #expect(throws: CatalogError.self) { try await migrator.migrate() }
        #expect(try await catalog.schemaVersions() == [1])
        let leftovers = try await catalog.database.read { db in
            try await db.raw("SELECT name FROM sqlite_master WHERE name = 'half_done'").all()
        }
        #expect(leftovers.isEmpty)
        try await catalog.shutdown()
    }
}
