import Foundation
import LifeboatModel
import SQLKit

/// Snapshot-based retention over the temporal `item_versions` table.
///
/// A row is part of point S iff `valid_from <= S < valid_to` (see `SQLCatalog+ItemVersions`). Retention expires a
/// prefix of a job's points, the oldest ones, so every kept point is at or after the first kept one (K): a row whose
/// committed `valid_to` is at or before K is in no kept point and is deleted; every other row is in K or in the later
/// point that opened it, and stays. Historical rows (Graph's earlier versions) go with the last row of their item.
/// Expired points keep their rows (rows still name them as `valid_from`) but leave every listing.
extension SQLCatalog {
    /// Expires the job's committed points whose backup time is before `cutoff`, oldest first, stopping at the first one
    /// an open restore session uses; never the job's newest point. Deletes the item versions no kept point holds.
    /// With `dryRun`, only counts what it would do. One write transaction: a backup committing meanwhile waits.
    public func applyRetention(jobID: UUID, expiringBefore cutoff: Date, now: Date, dryRun: Bool) async throws
        -> RetentionOutcome
    {
        if dryRun {
            return try await database.read { db in
                try await Self.retention(jobID: jobID, cutoff: cutoff, now: now, apply: false, in: db)
            }
        }
        return try await database.transaction { db in
            try await Self.retention(jobID: jobID, cutoff: cutoff, now: now, apply: true, in: db)
        }
    }

    private static func retention(jobID: UUID, cutoff: Date, now: Date, apply: Bool, in db: any SQLDatabase) async throws
        -> RetentionOutcome
    {
        let job = jobID.catalogText
        let points = try await db.raw("""
            SELECT sequence, backup_time FROM restore_points
            WHERE job_id = \(bind: job) AND committed = TRUE AND expired_at IS NULL ORDER BY sequence
            """).all().map { (sequence: try $0.int64("sequence"), backupTime: try $0.date("backup_time")) }
        var outcome = RetentionOutcome(jobID: jobID)
        guard !points.isEmpty else { return outcome }
        let held = Set(
            try await db.raw("""
                SELECT restore_point_sequence FROM restore_sessions
                WHERE ended_at IS NULL AND restore_point_sequence IS NOT NULL
                """).all().map { try $0.int64("restore_point_sequence") })
        // A prefix, always: the deletion below relies on every kept point coming at or after the first kept one.
        var expiring: [Int64] = []
        for point in points.dropLast() {
            guard point.backupTime < cutoff else { break }
            if held.contains(point.sequence) {
                outcome.heldBySession = true
                break
            }
            expiring.append(point.sequence)
        }
        let firstKept = points[expiring.count]
        outcome.pointsExpired = expiring.count
        outcome.oldestKept = firstKept.backupTime

        let superseded: SQLQueryString = """
            job_id = \(bind: job) AND is_historical = FALSE AND valid_to IS NOT NULL AND valid_to <= \(bind: firstKept.sequence)
              AND valid_to IN (SELECT sequence FROM restore_points WHERE job_id = \(bind: job) AND committed = TRUE)
            """
        // Historical rows whose item keeps no current row in a kept point (every such row is superseded above).
        let orphanedHistory: SQLQueryString = """
            job_id = \(bind: job) AND is_historical = TRUE AND NOT EXISTS (
                SELECT 1 FROM item_versions c
                WHERE c.job_id = item_versions.job_id AND c.drive_id = item_versions.drive_id
                  AND c.item_id = item_versions.item_id AND c.is_historical = FALSE
                  AND (c.valid_to IS NULL OR c.valid_to > \(bind: firstKept.sequence)))
            """
        for condition in [superseded, orphanedHistory] {
            let row = try await db.raw("""
                SELECT COUNT(*) AS row_count, COALESCE(SUM(size), 0) AS byte_count FROM item_versions WHERE \(condition)
                """).first()
            outcome.versionsRemoved += try row?.decode(column: "row_count", as: Int.self) ?? 0
            outcome.bytesRemoved += try row?.decode(column: "byte_count", as: Int64.self) ?? 0
        }
        guard apply else { return outcome }
        if !expiring.isEmpty {
            let sequences: [any Encodable & Sendable] = expiring
            try await db.raw("""
                UPDATE restore_points SET expired_at = \(bind: now.catalogMilliseconds) WHERE sequence IN (\(binds: sequences))
                """).run()
        }
        try await db.raw("DELETE FROM item_versions WHERE \(orphanedHistory)").run()
        try await db.raw("DELETE FROM item_versions WHERE \(superseded)").run()
        return outcome
    }
}
