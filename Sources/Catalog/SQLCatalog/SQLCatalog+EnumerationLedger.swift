import Foundation
import SQLKit

extension SQLCatalog {
    public func clearEnumerationLedger(sequence: Int64, driveID: String) async throws {
        try await database.transaction { db in
            try await db.raw("""
                DELETE FROM enumeration_ledger WHERE sequence = \(bind: sequence) AND drive_id = \(bind: driveID)
                """).run()
        }
    }

    public func enumerationTallies(sequence: Int64, driveID: String, itemIDs: [String]) async throws -> [String: String] {
        guard !itemIDs.isEmpty else { return [:] }
        let batches = statementBatches(itemIDs, columnCount: 1)
        return try await database.read { db in
            var tallies: [String: String] = [:]
            for batch in batches {
                let ids: [any Encodable & Sendable] = Array(batch)
                let rows = try await db.raw("""
                    SELECT item_id, tally FROM enumeration_ledger
                    WHERE sequence = \(bind: sequence) AND drive_id = \(bind: driveID) AND item_id IN (\(binds: ids))
                      AND tally IS NOT NULL
                    """).all()
                for row in rows { tallies[try row.string("item_id")] = try row.string("tally") }
            }
            return tallies
        }
    }

    public func recordEnumerationEntries(_ entries: [String: String?], pass: Int, sequence: Int64, driveID: String) async throws {
        guard !entries.isEmpty else { return }
        let sorted = entries.sorted { $0.key < $1.key }
        let batches = statementBatches(sorted, columnCount: 5)
        try await database.transaction { db in
            for batch in batches {
                let values = batch.map { itemID, tally -> SQLQueryString in
                    "(\(bind: sequence), \(bind: driveID), \(bind: itemID), \(bind: Int64(pass)), \(bind: tally))"
                }
                try await db.raw("""
                    INSERT INTO enumeration_ledger (sequence, drive_id, item_id, pass, tally)
                    VALUES \(values.joined(separator: ", "))
                    ON CONFLICT (sequence, drive_id, item_id) DO UPDATE SET pass = excluded.pass, tally = excluded.tally
                    """).run()
            }
        }
    }

    public func currentItemIDs(
        notMetInPass pass: Int, sequence: Int64, jobID: UUID, driveID: String, after afterItemID: String?, limit: Int
    ) async throws -> [String] {
        try await database.read { db in
            try await db.raw("""
                SELECT iv.item_id FROM item_versions iv
                WHERE iv.job_id = \(bind: jobID.catalogText) AND iv.drive_id = \(bind: driveID) AND iv.valid_to IS NULL
                  AND iv.is_historical = FALSE AND iv.item_id > \(bind: afterItemID ?? "")
                  AND NOT EXISTS (
                    SELECT 1 FROM enumeration_ledger e
                    WHERE e.sequence = \(bind: sequence) AND e.drive_id = iv.drive_id AND e.item_id = iv.item_id
                      AND e.pass = \(bind: Int64(pass)))
                ORDER BY iv.item_id
                LIMIT \(bind: max(1, limit))
                """).all(decodingColumn: "item_id", as: String.self)
        }
    }
}
