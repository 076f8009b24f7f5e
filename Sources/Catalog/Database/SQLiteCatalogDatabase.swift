import Foundation
import Logging
import SQLKit
import SQLiteKit

/// The catalog's SQLite engine: one writer connection (SQLite serialises writers anyway) and, for files,
/// a few read-only connections that read concurrently thanks to WAL.
///
/// Every connection sets `foreign_keys = ON` and a busy timeout, so other processes sharing the file
/// (a `serve` and a `worker`) wait for each other instead of failing with SQLITE_BUSY.
struct SQLiteCatalogDatabase: CatalogDatabase {
    /// How long a connection waits for another process's lock before failing.
    static let busyTimeoutMilliseconds = 30_000

    let dialect = SQLDialectSupport.sqlite
    private let writer: SQLiteConnectionPool
    private let readers: SQLiteConnectionPool

    private init(writer: SQLiteConnectionPool, readers: SQLiteConnectionPool) {
        self.writer = writer
        self.readers = readers
    }

    /// Opens (creating if needed) a catalog file in WAL mode with `readerCount` extra read connections.
    static func open(path: String, readerCount: Int = 3, logger: Logger) async throws -> SQLiteCatalogDatabase {
        let writerConnection = try await openConnection(storage: .file(path: path), logger: logger)
        var readerConnections: [SQLiteConnection] = []
        do {
            // WAL is a property of the file: set once by the writer, every later connection uses it.
            _ = try await writerConnection.query("PRAGMA journal_mode = WAL")
            _ = try await writerConnection.query("PRAGMA synchronous = NORMAL")
            for _ in 0..<max(1, readerCount) {
                let reader = try await openConnection(storage: .file(path: path), logger: logger)
                readerConnections.append(reader)
                _ = try await reader.query("PRAGMA query_only = ON")
            }
        } catch {
            for connection in readerConnections + [writerConnection] {
                try? await connection.close()
            }
            throw error
        }
        return SQLiteCatalogDatabase(
            writer: SQLiteConnectionPool(connections: [writerConnection]),
            readers: SQLiteConnectionPool(connections: readerConnections)
        )
    }

    /// Opens a private in-memory catalog on a single connection (reads and writes share it).
    static func openInMemory(logger: Logger) async throws -> SQLiteCatalogDatabase {
        let connection = try await openConnection(storage: .memory, logger: logger)
        let pool = SQLiteConnectionPool(connections: [connection])
        return SQLiteCatalogDatabase(writer: pool, readers: pool)
    }

    private static func openConnection(storage: SQLiteConnection.Storage, logger: Logger) async throws -> SQLiteConnection {
        let connection = try await SQLiteConnection.open(storage: storage, logger: logger)
        do {
            _ = try await connection.query("PRAGMA busy_timeout = \(busyTimeoutMilliseconds)")
            _ = try await connection.query("PRAGMA foreign_keys = ON")
        } catch {
            try? await connection.close()
            throw error
        }
        return connection
    }

    func read<Result: Sendable>(_ body: @Sendable (any SQLDatabase) async throws -> Result) async throws -> Result {
        try await readers.withConnection { try await body($0.sql(queryLogLevel: .trace)) }
    }

    func write<Result: Sendable>(_ body: @Sendable (any SQLDatabase) async throws -> Result) async throws -> Result {
        try await writer.withConnection { try await body($0.sql(queryLogLevel: .trace)) }
    }

    func close() async throws {
        try await readers.close()
        try await writer.close()
    }
}
