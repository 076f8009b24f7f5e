import SQLKit

/// Access to the catalog's SQL engine: short reads, single writes and transactions, each on one leased connection.
///
/// Implementations serialise writers (so SQLite never reports SQLITE_BUSY within a process) and may serve reads
/// from other connections. A body must only use the `SQLDatabase` it is given: calling back into the catalog from
/// inside a body may wait for the connection the body itself holds.
protocol CatalogDatabase: Sendable {
    /// The engine's SQL differences.
    var dialect: SQLDialectSupport { get }

    /// Runs `body` on a connection that sees committed data; it must not write.
    func read<Result: Sendable>(_ body: @Sendable (any SQLDatabase) async throws -> Result) async throws -> Result

    /// Runs `body` on the writer connection without a transaction (each statement commits on its own).
    func write<Result: Sendable>(_ body: @Sendable (any SQLDatabase) async throws -> Result) async throws -> Result

    /// Closes every connection; later calls fail with `CatalogError.closed`.
    func close() async throws
}

extension CatalogDatabase {
    /// Runs `body` in one transaction on the writer connection: committed if it returns, rolled back if it throws.
    func transaction<Result: Sendable>(
        _ body: @Sendable (any SQLDatabase) async throws -> Result
    ) async throws -> Result {
        let begin = dialect.beginWriteTransaction
        return try await write { db in
            try await db.raw(SQLQueryString(begin)).run()
            do {
                let result = try await body(db)
                try await db.raw("COMMIT").run()
                return result
            } catch {
                // The original error matters more than a failed rollback; a failed rollback leaves the
                // connection to SQLite's own automatic rollback of the aborted transaction.
                try? await db.raw("ROLLBACK").run()
                throw error
            }
        }
    }
}
