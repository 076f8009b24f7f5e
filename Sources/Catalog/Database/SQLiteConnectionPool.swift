import SQLiteKit

/// A fixed set of open SQLite connections lent to one task at a time, first come first served.
///
/// Unlike AsyncKit's pool it has no request timeout: a long bulk insert makes other writers wait rather than fail.
/// Waiters are not cancellable; every lease is short and always released.
actor SQLiteConnectionPool {
    private var idle: [SQLiteConnection]
    private var waiters: [CheckedContinuation<SQLiteConnection, any Error>] = []
    private var isClosed = false

    /// Creates a pool that lends the given connections and closes them on `close()`.
    init(connections: [SQLiteConnection]) {
        self.idle = connections
    }

    /// Runs `body` with a connection no other task uses meanwhile.
    nonisolated func withConnection<Result: Sendable>(
        _ body: @Sendable (SQLiteConnection) async throws -> Result
    ) async throws -> Result {
        let connection = try await lease()
        do {
            let result = try await body(connection)
            await release(connection)
            return result
        } catch {
            await release(connection)
            throw error
        }
    }

    private func lease() async throws -> SQLiteConnection {
        guard !isClosed else { throw CatalogError.closed }
        if let connection = idle.popLast() {
            return connection
        }
        return try await withCheckedThrowingContinuation { waiters.append($0) }
    }

    private func release(_ connection: SQLiteConnection) async {
        if isClosed {
            try? await connection.close()
        } else if !waiters.isEmpty {
            waiters.removeFirst().resume(returning: connection)
        } else {
            idle.append(connection)
        }
    }

    /// Closes idle connections now and leased ones when they come back; waiting tasks fail with `CatalogError.closed`.
    func close() async throws {
        guard !isClosed else { return }
        isClosed = true
        let pending = waiters
        waiters = []
        for waiter in pending {
            waiter.resume(throwing: CatalogError.closed)
        }
        let connections = idle
        idle = []
        for connection in connections {
            try await connection.close()
        }
    }
}
