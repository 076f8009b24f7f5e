@testable import Catalog
import Foundation
import LifeboatModel
import SQLKit
import Testing

/// Holds the catalog's hot queries to SQLite's query planner: none may scan a whole table.
@Suite("Catalog query plans")
struct QueryPlanTests {
    static let drive = PointInTimeTests.drive

    /// The queries checked, by name. Point-in-time ones are the catalog's own builders.
    static func queries(jobID: UUID, sequence s: Int64) -> [(String, SQLQueryString)] {
        let ids: [any Encodable & Sendable] = ["a", "b"]
        let job = jobID.catalogText
        let visible = SQLCatalog.visibleRowsQuery(jobID: jobID, driveID: drive, parentID: nil, at: s)
        let deleted = SQLCatalog.deletedRowsQuery(jobID: jobID, driveID: drive, parentID: nil, at: s)
        let committed = SQLCatalog.committedRowsQuery(jobID: jobID, driveID: drive, upTo: s)
        return [
            ("items at S", visible),
            ("children at S", SQLCatalog.visibleRowsQuery(jobID: jobID, driveID: drive, parentID: "root", at: s)),
            ("item at S", visible + " AND iv.item_id = \(bind: "a") ORDER BY iv.valid_from DESC LIMIT 1"),
            ("deleted items at S", deleted),
            ("deleted children at S", SQLCatalog.deletedRowsQuery(jobID: jobID, driveID: drive, parentID: "root", at: s)),
            ("history", committed + " AND iv.item_id = \(bind: "a") ORDER BY iv.valid_from, iv.is_historical DESC, iv.row_id"),
            ("all versions of items", committed + " AND iv.item_id IN (\(binds: ids))"),
            ("current items", """
                SELECT iv.row_id FROM item_versions iv WHERE iv.job_id = \(bind: job) AND iv.drive_id = \(bind: drive)
                AND iv.item_id IN (\(binds: ids)) AND iv.valid_to IS NULL AND iv.is_historical = FALSE
                """),
            ("open item ids", """
                SELECT item_id FROM item_versions WHERE job_id = \(bind: job) AND drive_id = \(bind: drive)
                AND valid_to IS NULL AND is_historical = FALSE ORDER BY item_id
                """),
            ("ledger tallies", """
                SELECT item_id, tally FROM enumeration_ledger WHERE sequence = \(bind: s) AND drive_id = \(bind: drive)
                AND item_id IN (\(binds: ids)) AND tally IS NOT NULL
                """),
            ("current items a pass did not meet", """
                SELECT iv.item_id FROM item_versions iv WHERE iv.job_id = \(bind: job) AND iv.drive_id = \(bind: drive)
                AND iv.valid_to IS NULL AND iv.is_historical = FALSE AND iv.item_id > \(bind: "a")
                AND NOT EXISTS (SELECT 1 FROM enumeration_ledger e WHERE e.sequence = \(bind: s) AND e.drive_id = iv.drive_id
                AND e.item_id = iv.item_id AND e.pass = \(bind: 2)) ORDER BY iv.item_id LIMIT \(bind: 1000)
                """),
            ("clear ledger", "DELETE FROM enumeration_ledger WHERE sequence = \(bind: s) AND drive_id = \(bind: drive)"),
            ("discard ledger", "DELETE FROM enumeration_ledger WHERE sequence IN (\(binds: [s] as [any Encodable & Sendable]))"),
            ("job of point", "SELECT job_id FROM restore_points WHERE sequence = \(bind: s)"),
            ("delete rows superseded within the run", """
                DELETE FROM item_versions WHERE job_id = \(bind: job) AND drive_id = \(bind: drive)
                AND item_id IN (\(binds: ids)) AND valid_to IS NULL AND is_historical = FALSE AND valid_from = \(bind: s)
                """),
            ("close rows", """
                UPDATE item_versions SET valid_to = \(bind: s) WHERE job_id = \(bind: job) AND drive_id = \(bind: drive)
                AND item_id IN (\(binds: ids)) AND valid_to IS NULL AND is_historical = FALSE
                """),
            ("discard opened rows", "DELETE FROM item_versions WHERE valid_from IN (\(binds: [s] as [any Encodable & Sendable]))"),
            ("discard re-open rows", "UPDATE item_versions SET valid_to = NULL WHERE valid_to IN (\(binds: [s] as [any Encodable & Sendable]))"),
            ("uncommitted points of job", "SELECT sequence FROM restore_points WHERE job_id = \(bind: "j") AND committed = FALSE"),
            ("points of organization", """
                SELECT sequence FROM restore_points WHERE committed = TRUE AND organization_id = \(bind: "o")
                ORDER BY backup_time DESC, sequence DESC
                """),
            ("points of job after time", """
                SELECT sequence FROM restore_points WHERE committed = TRUE AND job_id = \(bind: "j")
                AND backup_time > \(bind: 5) ORDER BY backup_time DESC, sequence DESC
                """),
            ("points of repository", """
                SELECT sequence FROM restore_points WHERE committed = TRUE AND repository_id = \(bind: "r")
                ORDER BY backup_time DESC, sequence DESC
                """),
            ("points after time", """
                SELECT sequence FROM restore_points WHERE committed = TRUE AND backup_time > \(bind: 5)
                ORDER BY backup_time DESC, sequence DESC
                """),
            ("latest point of organization", """
                SELECT sequence FROM restore_points WHERE organization_id = \(bind: "o") AND committed = TRUE
                AND backup_time <= \(bind: 5) ORDER BY backup_time DESC, sequence DESC LIMIT 1
                """),
            ("runs of job", "SELECT id FROM job_runs WHERE job_id = \(bind: "j") ORDER BY created_at DESC, external_id DESC"),
            ("page of a job's sessions", """
                SELECT id FROM job_runs WHERE \(SQLCatalog.condition(RunFilter(kinds: [.backup], jobID: jobID)))
                ORDER BY created_at DESC, external_id DESC LIMIT \(bind: 30) OFFSET \(bind: 60)
                """),
            ("page of every job's sessions", """
                SELECT id FROM job_runs WHERE \(SQLCatalog.condition(RunFilter(kinds: [.backup])))
                ORDER BY created_at DESC, external_id DESC LIMIT \(bind: 30) OFFSET \(bind: 60)
                """),
            ("retention's points of a job", """
                SELECT sequence, backup_time FROM restore_points
                WHERE job_id = \(bind: "j") AND committed = TRUE AND expired_at IS NULL ORDER BY sequence
                """),
            ("count of a job's sessions", """
                SELECT COUNT(*) FROM job_runs
                WHERE \(SQLCatalog.condition(RunFilter(kinds: [.backup], jobID: jobID, endedAtOrAfter: Date())))
                """),
            ("count runs", """
                SELECT COUNT(*) FROM job_runs WHERE organization_id = \(bind: "o") AND state IN ('running', 'queued')
                AND kind IN ('restore', 'export')
                """),
            ("run error summary", """
                SELECT message, COUNT(*) AS error_count FROM run_errors WHERE run_id = \(bind: "r")
                GROUP BY message ORDER BY error_count DESC, message
                """),
            ("run errors", "SELECT message FROM run_errors WHERE run_id = \(bind: "r") ORDER BY id"),
            ("valid token", "SELECT token_hash FROM tokens WHERE token_hash = \(bind: "h") AND expires_at > \(bind: 5)"),
            ("expired tokens", "DELETE FROM tokens WHERE expires_at <= \(bind: 5)"),
            ("drives of organization", "SELECT drive_id FROM drives WHERE organization_id = \(bind: "o") ORDER BY name, drive_id"),
            ("session events", "SELECT id FROM restore_session_events WHERE session_id = \(bind: "s") ORDER BY position, id"),
            ("delta link", "SELECT link FROM delta_links WHERE job_id = \(bind: "j") AND drive_id = \(bind: "d")"),
        ]
    }

    @Test("every hot query searches an index instead of scanning a table")
    func noTableScans() async throws {
        let scenario = try await PointInTimeTests.makeScenario()
        let catalog = scenario.catalog
        var report: [String] = []
        for (name, query) in Self.queries(jobID: scenario.seed.job.id, sequence: scenario.p3.sequence) {
            let details = try await catalog.database.read { db in
                try await db.raw("EXPLAIN QUERY PLAN " + query).all().map { try $0.decode(column: "detail", as: String.self) }
            }
            report.append("\(name):\n  " + details.joined(separator: "\n  "))
            let scans = details.filter { $0.hasPrefix("SCAN") && !$0.contains("USING") && !$0.contains("CONSTANT ROW") }
            #expect(scans.isEmpty, "\(name) scans: \(details)")
        }
        if let path = ProcessInfo.processInfo.environment["LIFEBOAT_QUERY_PLANS"] {
            try report.joined(separator: "\n").write(toFile: path, atomically: true, encoding: .utf8)
        }
        try await catalog.shutdown()
    }
}
