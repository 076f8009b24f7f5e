import Foundation
import LifeboatModel
import SQLKit

/// Point-in-time queries over `item_versions`.
///
/// Every row belongs to the job whose restore point opened it (`job_id` is that point's job), and every query is
/// confined to one job: two jobs protecting the same drive keep separate rows, so each job's rows reference content
/// in its own repository only, and sequences of another job's points never bound a row.
///
/// A row is visible at sequence S iff its `valid_from` point is committed, `valid_from <= S`, and it had not ended
/// by S: `valid_to` is NULL, greater than S, or a point that is not committed (a run in progress or crashed).
/// Rows returned by point-in-time queries carry `validTo` only when their end point is committed; so a row with
/// `validTo <= S` is one that `showDeleted` added (its item no longer existed at S).
extension SQLCatalog {
    /// The job's open (current, non-historical) rows of the given items, including those written by its uncommitted run.
    public func currentItems(jobID: UUID, driveID: String, itemIDs: [String]) async throws -> [String: ItemVersion] {
        guard !itemIDs.isEmpty else { return [:] }
        let batches = statementBatches(itemIDs, columnCount: 1)
        return try await database.read { db in
            var current: [String: ItemVersion] = [:]
            for batch in batches {
                let ids: [any Encodable & Sendable] = Array(batch)
                let rows = try await db.raw("""
                    SELECT \(unsafeRaw: Self.itemColumns("iv")), iv.valid_to AS reported_valid_to FROM item_versions iv
                    WHERE iv.job_id = \(bind: jobID.catalogText) AND iv.drive_id = \(bind: driveID)
                      AND iv.item_id IN (\(binds: ids)) AND iv.valid_to IS NULL AND iv.is_historical = FALSE
                    """).all()
                for row in rows {
                    let version = try Self.decodeItemVersion(row)
                    current[version.itemID] = version
                }
            }
            return current
        }
    }

    /// Deletes the job's open rows of `closing` items written by this same run (superseded within the run), closes
    /// the job's others at `sequence`, then inserts `rows` for the job with `validFrom = sequence`, all in one transaction.
    ///
    /// Every row must belong to `driveID`; the point `sequence` must be one of `jobID`'s (from `beginRestorePoint`),
    /// else `CatalogError.notFound` or `.invalidArgument`. Rows are stored with `validFrom = sequence` and open
    /// (`validTo` nil) whatever they carry. Historical rows never close anything and are never current: `isHistorical`
    /// tells them apart in `history` and `showAllVersions` listings.
    public func recordItemVersions(
        _ rows: [ItemVersion], closing: [String], jobID: UUID, driveID: String, sequence: Int64
    ) async throws {
        if let stranger = rows.first(where: { $0.driveID != driveID }) {
            throw CatalogError.invalidArgument(
                "item \(stranger.itemID) belongs to drive \(stranger.driveID), not to drive \(driveID) being recorded"
            )
        }
        let closeBatches = statementBatches(closing, columnCount: 1)
        let insertBatches = statementBatches(rows, columnCount: Self.insertColumnCount)
        let job = jobID.catalogText
        try await database.transaction { db in
            let owner = try await db.raw("""
                SELECT job_id FROM restore_points WHERE sequence = \(bind: sequence)
                """).first(decodingColumn: "job_id", as: String.self)
            guard let owner else { throw CatalogError.notFound("Restore point with sequence \(sequence)") }
            guard owner == job else {
                throw CatalogError.invalidArgument(
                    "restore point \(sequence) belongs to job \(owner), not to job \(jobID) whose items are being recorded"
                )
            }
            for batch in closeBatches {
                let ids: [any Encodable & Sendable] = Array(batch)
                try await db.raw("""
                    DELETE FROM item_versions
                    WHERE job_id = \(bind: job) AND drive_id = \(bind: driveID) AND item_id IN (\(binds: ids))
                      AND valid_to IS NULL AND is_historical = FALSE AND valid_from = \(bind: sequence)
                    """).run()
                try await db.raw("""
                    UPDATE item_versions SET valid_to = \(bind: sequence)
                    WHERE job_id = \(bind: job) AND drive_id = \(bind: driveID) AND item_id IN (\(binds: ids))
                      AND valid_to IS NULL AND is_historical = FALSE
                    """).run()
            }
            for batch in insertBatches {
                let values = batch.map {
                    Self.insertValues($0, jobID: job, sequence: sequence)
                }
                try await db.raw("""
                    INSERT INTO item_versions (\(unsafeRaw: Self.insertColumns)) VALUES \(values.joined(separator: ", "))
                    """).run()
            }
        }
    }

    /// Ids of the job's open, non-historical items of the drive (its uncommitted run included), in id order.
    public func openItemIDs(jobID: UUID, driveID: String) async throws -> [String] {
        try await database.read { db in
            try await db.raw("""
                SELECT item_id FROM item_versions
                WHERE job_id = \(bind: jobID.catalogText) AND drive_id = \(bind: driveID) AND valid_to IS NULL
                  AND is_historical = FALSE
                ORDER BY item_id
                """).all(decodingColumn: "item_id", as: String.self)
        }
    }

    /// The job's items of the drive at `sequence`, sorted by name then item id (with `showAllVersions`, each item's
    /// states follow one another oldest first).
    public func items(jobID: UUID, driveID: String, at sequence: Int64, options: PointInTimeOptions) async throws -> [ItemVersion] {
        try await pointInTime(jobID: jobID, driveID: driveID, parentID: nil, at: sequence, options: options)
    }

    /// The job's children of folder `parentID` at `sequence`, ordered like `items(jobID:driveID:at:options:)`.
    ///
    /// With `showAllVersions`, earlier states of those children are included even if they lived in another folder.
    public func children(
        jobID: UUID, driveID: String, parentID: String, at sequence: Int64, options: PointInTimeOptions
    ) async throws -> [ItemVersion] {
        try await pointInTime(jobID: jobID, driveID: driveID, parentID: parentID, at: sequence, options: options)
    }

    /// The item's state the job holds visible at `sequence`, or `nil` if it did not exist then.
    public func item(jobID: UUID, driveID: String, itemID: String, at sequence: Int64) async throws -> ItemVersion? {
        try await database.read { db in
            try await db.raw("""
                \(Self.visibleRowsQuery(jobID: jobID, driveID: driveID, parentID: nil, at: sequence))
                  AND iv.item_id = \(bind: itemID)
                ORDER BY iv.valid_from DESC LIMIT 1
                """).first().map(Self.decodeItemVersion)
        }
    }

    /// The drive's root folder as the job saw it at `sequence`, or `nil` when the job's point does not hold the drive.
    public func rootItem(jobID: UUID, driveID: String, at sequence: Int64) async throws -> ItemVersion? {
        try await database.read { db in
            try await db.raw("""
                \(Self.visibleRowsQuery(jobID: jobID, driveID: driveID, parentID: nil, at: sequence))
                  AND iv.parent_id IS NULL AND iv.is_root = TRUE
                ORDER BY iv.valid_from DESC LIMIT 1
                """).first().map(Self.decodeItemVersion)
        }
    }

    /// One page of the rows, of every job writing to `repositoryID`, that locate content in it (committed or not,
    /// current or historical), by row id after `afterRowID`: for naming the items a damaged chunk affects. A full
    /// walk costs one pass over the item table, in pages.
    public func contentRows(repositoryID: UUID, afterRowID: Int64, limit: Int) async throws -> [ItemVersion] {
        try await database.read { db in
            try await db.raw("""
                SELECT \(unsafeRaw: Self.itemColumns("iv")), iv.valid_to AS reported_valid_to FROM item_versions iv
                JOIN jobs j ON j.id = iv.job_id
                WHERE j.repository_id = \(bind: repositoryID.catalogText) AND iv.content IS NOT NULL
                  AND iv.row_id > \(bind: afterRowID)
                ORDER BY iv.row_id LIMIT \(bind: Int64(max(1, limit)))
                """).all().map(Self.decodeItemVersion)
        }
    }

    /// Every committed state of the item the job stored with `validFrom <= sequence`, oldest first: by `validFrom`,
    /// historical Graph versions before the state recorded with them, then insertion order.
    public func history(jobID: UUID, driveID: String, itemID: String, upTo sequence: Int64) async throws -> [ItemVersion] {
        try await database.read { db in
            try await db.raw("""
                \(Self.committedRowsQuery(jobID: jobID, driveID: driveID, upTo: sequence)) AND iv.item_id = \(bind: itemID)
                ORDER BY iv.valid_from, iv.is_historical DESC, iv.row_id
                """).all().map(Self.decodeItemVersion)
        }
    }

    /// The known drives with a non-historical row of the job visible at `sequence`, by name then drive id.
    ///
    /// Not confined to one organization's drives: a drive's record follows the organization that last backed it up,
    /// while the job's rows stay its own. Each drive is one probe of `item_versions_by_item` (job, drive) that stops
    /// at the first visible row.
    public func drives(jobID: UUID, at sequence: Int64) async throws -> [ProtectedDrive] {
        try await database.read { db in
            try await db.raw("""
                SELECT \(unsafeRaw: Self.driveColumns) FROM drives d
                WHERE EXISTS (
                    SELECT 1 FROM item_versions iv
                    JOIN restore_points f ON f.sequence = iv.valid_from
                    LEFT JOIN restore_points t ON t.sequence = iv.valid_to
                    WHERE iv.job_id = \(bind: jobID.catalogText) AND iv.drive_id = d.drive_id AND iv.is_historical = FALSE
                      AND iv.valid_from <= \(bind: sequence) AND f.committed = TRUE
                      AND (iv.valid_to IS NULL OR iv.valid_to > \(bind: sequence) OR t.committed = FALSE)
                )
                ORDER BY d.name, d.drive_id
                """).all().map(Self.decodeDrive)
        }
    }

    // MARK: Point-in-time building blocks

    private func pointInTime(
        jobID: UUID, driveID: String, parentID: String?, at sequence: Int64, options: PointInTimeOptions
    ) async throws -> [ItemVersion] {
        return try await database.read { db in
            var selected = try await db.raw(Self.visibleRowsQuery(jobID: jobID, driveID: driveID, parentID: parentID, at: sequence))
                .all().map(Self.decodeItemVersion)
            if options.showDeleted {
                selected += try await db.raw(Self.deletedRowsQuery(jobID: jobID, driveID: driveID, parentID: parentID, at: sequence))
                    .all().map(Self.decodeItemVersion)
            }
            guard options.showAllVersions else {
                return selected.sorted { ($0.name, $0.itemID) < ($1.name, $1.itemID) }
            }
            // Every committed state of the selected items, ordered under the name each item shows at `sequence`.
            let displayNames = Dictionary(selected.map { ($0.itemID, $0.name) }, uniquingKeysWith: { first, _ in first })
            let itemIDs = displayNames.keys.sorted()
            var versions: [ItemVersion] = []
            for batch in statementBatches(itemIDs, columnCount: 1) {
                let ids: [any Encodable & Sendable] = Array(batch)
                versions += try await db.raw("""
                    \(Self.committedRowsQuery(jobID: jobID, driveID: driveID, upTo: sequence)) AND iv.item_id IN (\(binds: ids))
                    """).all().map(Self.decodeItemVersion)
            }
            return versions.sorted { lhs, rhs in
                let left = (displayNames[lhs.itemID] ?? "", lhs.itemID, lhs.validFrom, lhs.isHistorical ? 0 : 1, lhs.rowID)
                let right = (displayNames[rhs.itemID] ?? "", rhs.itemID, rhs.validFrom, rhs.isHistorical ? 0 : 1, rhs.rowID)
                return left < right
            }
        }
    }

    /// The job's non-historical rows of the drive (children of `parentID` when given) visible at `sequence`; callers
    /// may append `AND ...` conditions.
    static func visibleRowsQuery(jobID: UUID, driveID: String, parentID: String?, at sequence: Int64) -> SQLQueryString {
        """
        SELECT \(unsafeRaw: itemColumns("iv")), \(unsafeRaw: reportedValidTo) FROM item_versions iv
        JOIN restore_points f ON f.sequence = iv.valid_from
        LEFT JOIN restore_points t ON t.sequence = iv.valid_to
        WHERE iv.job_id = \(bind: jobID.catalogText) AND iv.drive_id = \(bind: driveID) \(parentCondition(parentID))
          AND iv.is_historical = FALSE
          AND iv.valid_from <= \(bind: sequence) AND f.committed = TRUE
          AND (iv.valid_to IS NULL OR iv.valid_to > \(bind: sequence) OR t.committed = FALSE)
        """
    }

    /// For the job's items with no visible row at `sequence` (children of `parentID` when given), their last committed
    /// row, ended by a committed point at or before `sequence`.
    static func deletedRowsQuery(jobID: UUID, driveID: String, parentID: String?, at sequence: Int64) -> SQLQueryString {
        // For a folder, the unary plus keeps the planner on the (drive_id, parent_id) index instead of a range over
        // every ended row of the job's drive; it is plain arithmetic on both engines.
        let endedBy: SQLQueryString = parentID == nil
            ? "iv.valid_to <= \(bind: sequence)"
            : "+iv.valid_to <= \(bind: sequence)"
        return """
        SELECT \(unsafeRaw: itemColumns("iv")), \(unsafeRaw: reportedValidTo) FROM item_versions iv
        JOIN restore_points f ON f.sequence = iv.valid_from
        JOIN restore_points t ON t.sequence = iv.valid_to
        WHERE iv.job_id = \(bind: jobID.catalogText) AND iv.drive_id = \(bind: driveID) \(parentCondition(parentID))
          AND iv.is_historical = FALSE
          AND iv.valid_from <= \(bind: sequence) AND f.committed = TRUE
          AND \(endedBy) AND t.committed = TRUE
          AND NOT EXISTS (
            SELECT 1 FROM item_versions later
            JOIN restore_points lf ON lf.sequence = later.valid_from
            LEFT JOIN restore_points lt ON lt.sequence = later.valid_to
            WHERE later.job_id = iv.job_id AND later.drive_id = iv.drive_id AND later.item_id = iv.item_id AND later.is_historical = FALSE
              AND later.valid_from <= \(bind: sequence) AND lf.committed = TRUE
              AND (later.valid_from > iv.valid_from
                   OR later.valid_to IS NULL OR later.valid_to > \(bind: sequence) OR lt.committed = FALSE)
          )
        """
    }

    private static func parentCondition(_ parentID: String?) -> SQLQueryString {
        parentID.map { "AND iv.parent_id = \(bind: $0)" } ?? ""
    }

    /// The job's committed rows of the drive (historical included) with `validFrom <= sequence`; callers append `AND ...`.
    static func committedRowsQuery(jobID: UUID, driveID: String, upTo sequence: Int64) -> SQLQueryString {
        """
        SELECT \(unsafeRaw: itemColumns("iv")), \(unsafeRaw: reportedValidTo) FROM item_versions iv
        JOIN restore_points f ON f.sequence = iv.valid_from
        LEFT JOIN restore_points t ON t.sequence = iv.valid_to
        WHERE iv.job_id = \(bind: jobID.catalogText) AND iv.drive_id = \(bind: driveID)
          AND iv.valid_from <= \(bind: sequence) AND f.committed = TRUE
        """
    }

    /// `valid_to` as point-in-time queries report it: only when the point that ended the row is committed.
    static let reportedValidTo = "CASE WHEN t.committed = TRUE THEN iv.valid_to ELSE NULL END AS reported_valid_to"

    // MARK: Row mapping

    static let columnNames = [
        "row_id", "drive_id", "item_id", "parent_id", "name", "is_folder", "is_root", "size", "etag", "ctag",
        "quick_xor_hash", "mime_type", "created_at", "modified_at", "created_by", "modified_by", "graph_version_id",
        "is_historical", "content", "valid_from",
    ]

    static func itemColumns(_ alias: String) -> String {
        columnNames.map { "\(alias).\($0)" }.joined(separator: ", ")
    }

    static let insertColumnNames = ["job_id"] + Array(columnNames.dropFirst()) + ["valid_to"]
    static let insertColumns = insertColumnNames.joined(separator: ", ")
    static var insertColumnCount: Int { insertColumnNames.count }

    static func insertValues(_ row: ItemVersion, jobID: String, sequence: Int64) -> SQLQueryString {
        let content = row.content.map { Data($0) }
        return """
            (\(bind: jobID), \(bind: row.driveID), \(bind: row.itemID), \(bind: row.parentID), \(bind: row.name), \(bind: row.isFolder), \
            \(bind: row.isRoot), \(bind: row.size), \(bind: row.eTag), \(bind: row.cTag), \(bind: row.quickXorHash), \
            \(bind: row.mimeType), \(bind: row.createdAt?.catalogMilliseconds), \(bind: row.modifiedAt?.catalogMilliseconds), \
            \(bind: row.createdBy), \(bind: row.modifiedBy), \(bind: row.graphVersionID), \(bind: row.isHistorical), \
            \(bind: content), \(bind: sequence), NULL)
            """
    }

    static func decodeItemVersion(_ row: any SQLRow) throws -> ItemVersion {
        ItemVersion(
            rowID: try row.int64("row_id"),
            driveID: try row.string("drive_id"),
            itemID: try row.string("item_id"),
            parentID: try row.optionalString("parent_id"),
            name: try row.string("name"),
            isFolder: try row.bool("is_folder"),
            isRoot: try row.bool("is_root"),
            size: try row.int64("size"),
            eTag: try row.optionalString("etag"),
            cTag: try row.optionalString("ctag"),
            quickXorHash: try row.optionalString("quick_xor_hash"),
            mimeType: try row.optionalString("mime_type"),
            createdAt: try row.optionalDate("created_at"),
            modifiedAt: try row.optionalDate("modified_at"),
            createdBy: try row.optionalString("created_by"),
            modifiedBy: try row.optionalString("modified_by"),
            graphVersionID: try row.optionalString("graph_version_id"),
            isHistorical: try row.bool("is_historical"),
            content: try row.bytes("content").map { [UInt8]($0) },
            validFrom: try row.int64("valid_from"),
            validTo: try row.optionalInt64("reported_valid_to")
        )
    }
}
