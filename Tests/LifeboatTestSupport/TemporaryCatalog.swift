import Catalog
import Crypto
import Foundation
import Logging

/// An SQLite catalog file in a fresh temporary directory, for tests; `remove()` shuts it down and deletes the directory.
///
/// The secret key is fixed (32 bytes of 0x2A) so a test can reopen the same file and read its secrets back.
public struct TemporaryCatalog: Sendable {
    /// The open catalog.
    public let catalog: SQLCatalog
    /// The directory holding the catalog file and its WAL files.
    public let directory: URL
    /// The catalog file.
    public var path: String { directory.appendingPathComponent("catalog.sqlite").path }

    /// The key every temporary catalog encrypts Graph secrets with.
    public static var secretKey: SymmetricKey { SymmetricKey(data: Data(repeating: 0x2A, count: 32)) }

    /// Creates the directory and opens a migrated catalog in it.
    public static func make(logger: Logger = .quiet("lifeboat.test.catalog")) async throws -> TemporaryCatalog {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("lifeboat-catalog-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let catalog = try await SQLCatalog.openSQLite(
            path: directory.appendingPathComponent("catalog.sqlite").path, secretKey: secretKey, logger: logger
        )
        return TemporaryCatalog(catalog: catalog, directory: directory)
    }

    /// Shuts the catalog down and deletes its directory.
    public func remove() async throws {
        try await catalog.shutdown()
        try FileManager.default.removeItem(at: directory)
    }

    /// Runs `body` with a fresh temporary catalog and removes it afterwards, whether `body` throws or not.
    public static func with<Result: Sendable>(
        _ body: (SQLCatalog) async throws -> Result
    ) async throws -> Result {
        let temporary = try await make()
        do {
            let result = try await body(temporary.catalog)
            try await temporary.remove()
            return result
        } catch {
            try? await temporary.remove()
            throw error
        }
    }
}
