import Foundation
import SQLKit

extension SQLCatalog {
    public func identity() async throws -> UUID {
        // Read first: every backup run asks, and only the first ever needs a write.
        let known = try await database.read { db in
            try await db.raw("SELECT id FROM catalog_identity ORDER BY created_at, id LIMIT 1").first(decodingColumn: "id", as: String.self)
        }
        if let known, let id = UUID(uuidString: known) { return id }
        let candidate = UUID()
        let text = try await database.transaction { db in
            try await db.raw("""
                INSERT INTO catalog_identity (id, created_at)
                SELECT \(bind: candidate.catalogText), \(bind: Date().catalogMilliseconds)
                WHERE NOT EXISTS (SELECT 1 FROM catalog_identity)
                """).run()
            return try await db.raw("SELECT id FROM catalog_identity ORDER BY created_at, id LIMIT 1")
                .first(decodingColumn: "id", as: String.self)
        }
        guard let text, let id = UUID(uuidString: text) else { throw CatalogError.invalidArgument("the catalog's identity is unreadable") }
        return id
    }
}
