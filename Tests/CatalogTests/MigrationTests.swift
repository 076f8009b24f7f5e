@testable import Catalog
import Foundation
import LifeboatModel
import LifeboatTestSupport
import SQLKit
import Logging
import Testing

@Suite("Catalog migrations")
struct MigrationTests {
    @Test("a new catalog file and its WAL files are readable and writable by their owner only")
    func ownerOnlyFile() async throws {
        try await TemporaryCatalog.with { catalog in
            _ = try await CatalogSeed.insert(into: catalog)
            let files = [catalog.location, catalog.location + "-wal", catalog.location + "-shm"]
            for file in files where FileManager.default.fileExists(atPath: file) {
                let mode = (try FileManager.default.attributesOfItem(atPath: file)[.posixPermissions] as? Int ?? -1) & 0o777
                #expect(mode == 0o600, "\(file) has mode \(String(mode, radix: 8))")
            }
            #expect(FileManager.default.fileExists(atPath: catalog.location + "-wal"), "the catalog runs in WAL mode")
        }
    }

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

    @Test("version 2 recognises a cloud from a Graph URL written with capitals or a trailing slash, as Swift does")
    func cloudMigrationNormalisesGraphURLs() async throws {
        let database = try await SQLiteCatalogDatabase.openInMemory(logger: Logger(label: "test"))
        try await CatalogMigrator(
            database: database, migrations: [CatalogMigration.initialSchema], logger: Logger(label: "test")
        ).migrate()
        let urls = [
            "https://GRAPH.microsoft.com/v1.0/", "https://graph.microsoft.us/v1.0//", "https://dod-graph.microsoft.us/v1.0",
            "HTTPS://MICROSOFTGRAPH.CHINACLOUDAPI.CN/V1.0/", "http://127.0.0.1:9/v1.0/",
        ]
        try await database.write { db in
            for (index, url) in urls.enumerated() {
                try await db.raw(
                    """
                    INSERT INTO organizations (id, name, tenant_id, client_id, login_base_url, graph_base_url, created_at)
                    VALUES (\(bind: UUID().uuidString), \(bind: "org\(index)"), 't', 'c', 'https://login.example', \(bind: url), 0)
                    """
                ).run()
            }
        }
        try await CatalogMigrator(database: database, migrations: CatalogMigration.all, logger: Logger(label: "test")).migrate()
        let clouds = try await database.read { db in
            try await db.raw("SELECT cloud FROM organizations ORDER BY name").all().map {
                NationalCloud(rawValue: try $0.decode(column: "cloud", as: String.self))
            }
        }
        #expect(clouds == [.worldwide, .usGovernment, .usDoD, .china, .custom])
        #expect(clouds == urls.map { NationalCloud(graphBaseURL: $0) })
        try await database.close()
    }

    @Test("a catalog whose schema is newer than this build is refused")
    func newerSchemaRefused() async throws {
        let catalog = try await SQLCatalog.openInMemory()
        let newer = CatalogMigrator(database: catalog.database, migrations: [], logger: Logger(label: "test"))
        let latest = try #require(CatalogMigration.all.last).version
        await #expect(throws: CatalogError.schemaTooNew(found: latest, supported: 0)) {
            try await newer.migrate()
        }
        try await catalog.shutdown()
    }

    @Test("a failing migration is rolled back and reported with its version")
    func failingMigrationRollsBack() async throws {
        let catalog = try await SQLCatalog.openInMemory()
        let released = CatalogMigration.all.map(\.version)
        let broken = CatalogMigration(
            version: try #require(released.last) + 1, name: "broken", statements: ["CREATE TABLE half_done (id TEXT)", "THIS IS NOT SQL"]
        )
        let migrator = CatalogMigrator(
            database: catalog.database, migrations: CatalogMigration.all + [broken], logger: Logger(label: "test")
        )
        await #expect(throws: CatalogError.self) { try await migrator.migrate() }
        #expect(try await catalog.schemaVersions() == released)
        let leftovers = try await catalog.database.read { db in
            try await db.raw("SELECT name FROM sqlite_master WHERE name = 'half_done'").all()
        }
        #expect(leftovers.isEmpty)
        try await catalog.shutdown()
    }
}
