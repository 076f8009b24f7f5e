import Foundation
import LifeboatModel
import Logging
import SQLKit

extension SQLCatalog {
    /// Allocates the next sequence (never reused, even after `discardUncommittedRuns`) for an uncommitted point.
    public func beginRestorePoint(
        jobID: UUID, runID: UUID, organizationID: UUID, repositoryID: UUID, backupTime: Date,
        isOneDrive: Bool, isSharePoint: Bool
    ) async throws -> RestorePoint {
        let id = UUID()
        let sequence = try await database.write { db in
            try await db.raw("""
                INSERT INTO restore_points (id, job_id, run_id, organization_id, repository_id, backup_time,
                                            is_one_drive, is_share_point, committed)
                VALUES (\(bind: id.catalogText), \(bind: jobID.catalogText), \(bind: runID.catalogText),
                        \(bind: organizationID.catalogText), \(bind: repositoryID.catalogText),
                        \(bind: backupTime.catalogMilliseconds), \(bind: isOneDrive), \(bind: isSharePoint), FALSE)
                RETURNING sequence
                """).first(decodingColumn: "sequence", as: Int64.self)
        }
        guard let sequence else { throw CatalogError.notFound("The sequence of new restore point \(id)") }
        return RestorePoint(
            id: id, sequence: sequence, jobID: jobID, runID: runID, organizationID: organizationID,
            repositoryID: repositoryID, backupTime: Date(catalogMilliseconds: backupTime.catalogMilliseconds),
            isOneDrive: isOneDrive, isSharePoint: isSharePoint
        )
    }

    /// Marks the point committed and stores `deltaLinks` (drive id → link) for its job, in one transaction.
    ///
    /// Committing twice is harmless. Throws `CatalogError.notFound` when the point is unknown (e.g. discarded).
    public func commitRestorePoint(id: UUID, deltaLinks: [String: String], leaseOwner: UUID?) async throws {
        let now = Date().catalogMilliseconds
        let links = deltaLinks.sorted { $0.key < $1.key }
        let batches = statementBatches(links, columnCount: 5)
        try await database.transaction { db in
            if let leaseOwner {
                guard let run = try await db.raw("""
                    SELECT run_id FROM restore_points WHERE id = \(bind: id.catalogText)
                    """).first()
                else { throw CatalogError.notFound("Restore point \(id)") }
                try await Self.requireLease(of: try run.uuid("run_id", table: "restore_points"), heldBy: leaseOwner, in: db)
            }
            guard let point = try await db.raw("""
                UPDATE restore_points SET committed = TRUE, committed_at = \(bind: now)
                WHERE id = \(bind: id.catalogText) RETURNING sequence, job_id
                """).first()
            else { throw CatalogError.notFound("Restore point \(id)") }
            let sequence = try point.int64("sequence")
            let jobID = try point.string("job_id")
            for batch in batches {
                let values = batch.map { drive, link -> SQLQueryString in
                    "(\(bind: jobID), \(bind: drive), \(bind: link), \(bind: sequence), \(bind: now))"
                }
                try await db.raw("""
                    INSERT INTO delta_links (job_id, drive_id, link, restore_point_sequence, updated_at)
                    VALUES \(values.joined(separator: ", "))
                    ON CONFLICT (job_id, drive_id) DO UPDATE SET link = excluded.link,
                        restore_point_sequence = excluded.restore_point_sequence, updated_at = excluded.updated_at
                    """).run()
            }
        }
    }

    /// Deletes the job's uncommitted points and the item versions they opened, and re-opens the versions they
    /// closed, in one transaction. Delta links are untouched (they only ever advance on commit).
    ///
    /// Only the job's own rows are touched: rows are only ever opened at, and closed by, points of their own job.
    public func discardUncommittedRuns(jobID: UUID) async throws {
        try await discardUncommittedPoints(jobID: jobID, where: "TRUE")
    }

    /// Deletes the uncommitted points of one run of the job, as `discardUncommittedRuns(jobID:)` does for all of them:
    /// for ending a run whose owner died while another run of the job may already have begun its own point.
    public func discardUncommittedRun(jobID: UUID, runID: UUID) async throws {
        try await discardUncommittedPoints(jobID: jobID, where: "run_id = \(bind: runID.catalogText)")
    }

    private func discardUncommittedPoints(jobID: UUID, where condition: SQLQueryString) async throws {
        let discarded = try await database.transaction { db -> [Int64] in
            let sequences = try await db.raw("""
                SELECT sequence FROM restore_points
                WHERE job_id = \(bind: jobID.catalogText) AND committed = FALSE AND \(condition)
                """).all(decodingColumn: "sequence", as: Int64.self)
            guard !sequences.isEmpty else { return [] }
            let binds: [any Encodable & Sendable] = sequences
            try await db.raw("DELETE FROM item_versions WHERE valid_from IN (\(binds: binds))").run()
            try await db.raw("DELETE FROM enumeration_ledger WHERE sequence IN (\(binds: binds))").run()
            try await db.raw("UPDATE item_versions SET valid_to = NULL WHERE valid_to IN (\(binds: binds))").run()
            try await db.raw("DELETE FROM restore_points WHERE sequence IN (\(binds: binds))").run()
            return sequences
        }
        if !discarded.isEmpty {
            logger.info(
                "Discarded uncommitted restore points",
                metadata: ["lifeboat.job.id": "\(jobID)", "lifeboat.catalog.sequences": "\(discarded)"]
            )
        }
    }

    /// Committed points (expired ones left out) matching every set field of the filter, newest backup time first.
    public func restorePoints(_ filter: RestorePointFilter) async throws -> [RestorePoint] {
        var conditions: [SQLQueryString] = ["committed = TRUE", "expired_at IS NULL"]
        if let organizationID = filter.organizationID {
            conditions.append("organization_id = \(bind: organizationID.catalogText)")
        }
        if let jobID = filter.jobID {
            conditions.append("job_id = \(bind: jobID.catalogText)")
        }
        if let repositoryID = filter.repositoryID {
            conditions.append("repository_id = \(bind: repositoryID.catalogText)")
        }
        if let after = filter.backupTimeAfter {
            conditions.append("backup_time > \(bind: after.catalogMilliseconds)")
        }
        let predicate = conditions.joined(separator: " AND ")
        return try await database.read { db in
            try await db.raw("""
                SELECT \(unsafeRaw: Self.restorePointColumns) FROM restore_points WHERE \(predicate)
                ORDER BY backup_time DESC, sequence DESC
                """).all().map(Self.decodeRestorePoint)
        }
    }

    /// The committed restore point with this sequence number, or `nil` when unknown, not committed yet or expired.
    public func restorePoint(sequence: Int64) async throws -> RestorePoint? {
        try await database.read { db in
            try await db.raw("""
                SELECT \(unsafeRaw: Self.restorePointColumns) FROM restore_points
                WHERE sequence = \(bind: sequence) AND committed = TRUE AND expired_at IS NULL
                """).first().map(Self.decodeRestorePoint)
        }
    }

    /// One committed restore point, or `nil` when unknown, not committed yet or expired.
    public func restorePoint(id: UUID) async throws -> RestorePoint? {
        try await database.read { db in
            try await db.raw("""
                SELECT \(unsafeRaw: Self.restorePointColumns) FROM restore_points
                WHERE id = \(bind: id.catalogText) AND committed = TRUE AND expired_at IS NULL
                """).first().map(Self.decodeRestorePoint)
        }
    }

    /// The newest committed point of the organization (and of `jobID` when given) with backup time at or before `time`.
    public func latestRestorePoint(organizationID: UUID, jobID: UUID?, notAfter time: Date) async throws -> RestorePoint? {
        let scope: SQLQueryString = if let jobID {
            "job_id = \(bind: jobID.catalogText) AND organization_id = \(bind: organizationID.catalogText)"
        } else {
            "organization_id = \(bind: organizationID.catalogText)"
        }
        return try await database.read { db in
            try await db.raw("""
                SELECT \(unsafeRaw: Self.restorePointColumns) FROM restore_points
                WHERE \(scope) AND committed = TRUE AND expired_at IS NULL AND backup_time <= \(bind: time.catalogMilliseconds)
                ORDER BY backup_time DESC, sequence DESC LIMIT 1
                """).first().map(Self.decodeRestorePoint)
        }
    }

    static let restorePointColumns =
        "sequence, id, job_id, run_id, organization_id, repository_id, backup_time, is_one_drive, is_share_point"

    static func decodeRestorePoint(_ row: any SQLRow) throws -> RestorePoint {
        RestorePoint(
            id: try row.uuid("id", table: "restore_points"),
            sequence: try row.int64("sequence"),
            jobID: try row.uuid("job_id", table: "restore_points"),
            runID: try row.uuid("run_id", table: "restore_points"),
            organizationID: try row.uuid("organization_id", table: "restore_points"),
            repositoryID: try row.uuid("repository_id", table: "restore_points"),
            backupTime: try row.date("backup_time"),
            isOneDrive: try row.bool("is_one_drive"),
            isSharePoint: try row.bool("is_share_point")
        )
    }
}
