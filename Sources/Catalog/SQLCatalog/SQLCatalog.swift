import Crypto
import Foundation
import Logging
import SQLKit

/// The catalog over SQL: SQLite today (one file, or memory for tests), PostgreSQL later with the same statements.
///
/// Open it with `openSQLite(path:secretKey:logger:)` or `openInMemory(secretKey:logger:)`; both run pending
/// migrations. Call `shutdown()` when done. Safe to share between tasks: writes go through one serialised writer
/// connection, reads through a few reader connections (WAL), so concurrent callers never see SQLITE_BUSY.
///
/// Times are stored as whole milliseconds since 1970: a `Date` read back equals the one written rounded to the
/// millisecond. Ids are stored as lowercase UUID text.
public struct SQLCatalog: CatalogStore {
    let database: any CatalogDatabase
    let sealer: GraphSecretSealer
    let logger: Logger
    /// Where the catalog lives: its file's path, or `memory`.
    public let location: String

    private init(database: any CatalogDatabase, location: String, secretKey: SymmetricKey, logger: Logger) throws {
        self.database = database
        self.location = location
        self.sealer = try GraphSecretSealer(key: secretKey)
        self.logger = logger
    }

    /// Opens (creating if missing) the SQLite catalog at `path` in WAL mode and applies pending migrations.
    ///
    /// - Parameters:
    ///   - path: The catalog file; its directory must exist. WAL adds `-wal` and `-shm` files next to it. A missing file
    ///     is created readable and writable by its owner only (mode 0600).
    ///   - secretKey: 256-bit key that encrypts organizations' Graph secrets at rest. Keep it outside the catalog
    ///     (configuration or a key file): a catalog opened with another key cannot read its secrets.
    ///   - logger: Receives lifecycle logs (`lifeboat.catalog.*` metadata) and, at trace level, every statement.
    /// - Throws: `CatalogError.schemaTooNew`, `CatalogError.migrationFailed`, or SQLite's error when the file
    ///   cannot be opened.
    public static func openSQLite(path: String, secretKey: SymmetricKey, logger: Logger) async throws -> SQLCatalog {
        // The catalog holds password hashes and every backed-up path: a new file is its owner's only, and SQLite gives
        // its `-wal` and `-shm` files the catalog file's mode.
        let created = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        if created >= 0 { close(created) }
        let database = try await SQLiteCatalogDatabase.open(path: path, logger: logger)
        let location = path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
        return try await prepare(database: database, location: location, secretKey: secretKey, logger: logger)
    }

    /// Opens an empty catalog in memory (for tests); its content disappears on `shutdown()`.
    public static func openInMemory(
        secretKey: SymmetricKey = SymmetricKey(size: .bits256),
        logger: Logger = Logger(label: "lifeboat.catalog")
    ) async throws -> SQLCatalog {
        let database = try await SQLiteCatalogDatabase.openInMemory(logger: logger)
        return try await prepare(database: database, location: "memory", secretKey: secretKey, logger: logger)
    }

    private static func prepare(
        database: any CatalogDatabase, location: String, secretKey: SymmetricKey, logger: Logger
    ) async throws -> SQLCatalog {
        do {
            let catalog = try SQLCatalog(database: database, location: location, secretKey: secretKey, logger: logger)
            try await CatalogMigrator(database: database, migrations: CatalogMigration.all, logger: logger).migrate()
            return catalog
        } catch {
            try? await database.close()
            throw error
        }
    }

    /// Closes every connection; calls made afterwards throw `CatalogError.closed`. Wait for in-flight calls first.
    public func shutdown() async throws {
        try await database.close()
    }

    /// Schema versions applied to this catalog, oldest first.
    public func schemaVersions() async throws -> [Int] {
        try await CatalogMigrator(database: database, migrations: CatalogMigration.all, logger: logger).appliedVersions()
    }

    /// JSON text of a value as stored in the catalog's JSON columns (sorted keys, so equal values store equal text).
    static func json(_ value: some Encodable) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    /// `rows` cut, in order, into runs of as many rows of `columnCount` binds as one statement takes (capped so
    /// statements stay reasonably short).
    func statementBatches<Rows: RandomAccessCollection>(_ rows: Rows, columnCount: Int) -> [Rows.SubSequence] {
        let size = max(1, min(500, database.dialect.maxBindParameters / columnCount))
        return stride(from: 0, to: rows.count, by: size).map { offset in
            let start = rows.index(rows.startIndex, offsetBy: offset)
            return rows[start..<rows.index(start, offsetBy: min(size, rows.count - offset))]
        }
    }
}
