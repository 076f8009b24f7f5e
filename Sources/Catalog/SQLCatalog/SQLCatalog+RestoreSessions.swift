import Foundation
import LifeboatModel
import SQLKit

extension SQLCatalog {
    /// Inserts a restore session; its organization must exist.
    public func insertRestoreSession(_ session: RestoreSession) async throws {
        try await database.write { db in
            try await db.raw("""
                INSERT INTO restore_sessions (id, organization_id, job_id, kind, requested_time, restore_point_sequence,
                    show_deleted, show_all_versions, state, result, initiated_by, name, created_at, ended_at)
                VALUES (\(bind: session.id.catalogText), \(bind: session.organizationID.catalogText),
                        \(bind: session.jobID?.catalogText), \(bind: session.kind.rawValue),
                        \(bind: session.requestedTime.catalogMilliseconds), \(bind: session.restorePointSequence),
                        \(bind: session.showDeleted), \(bind: session.showAllVersions), \(bind: session.state.rawValue),
                        \(bind: session.result.rawValue), \(bind: session.initiatedBy), \(bind: session.name),
                        \(bind: session.createdAt.catalogMilliseconds), \(bind: session.endedAt?.catalogMilliseconds))
                """).run()
        }
    }

    /// One restore session, or `nil`.
    public func restoreSession(id: UUID) async throws -> RestoreSession? {
        try await database.read { db in
            try await db.raw("""
                SELECT \(unsafeRaw: Self.restoreSessionColumns) FROM restore_sessions WHERE id = \(bind: id.catalogText)
                """).first().map(Self.decodeRestoreSession)
        }
    }

    /// Every restore session, oldest first.
    public func restoreSessions() async throws -> [RestoreSession] {
        try await database.read { db in
            try await db.raw("""
                SELECT \(unsafeRaw: Self.restoreSessionColumns) FROM restore_sessions ORDER BY created_at, id
                """).all().map(Self.decodeRestoreSession)
        }
    }

    /// Replaces the mutable fields of a session (state, result, point, options, name, end); throws
    /// `CatalogError.notFound` for an unknown id.
    public func updateRestoreSession(_ session: RestoreSession) async throws {
        let updated = try await database.write { db in
            try await db.raw("""
                UPDATE restore_sessions SET restore_point_sequence = \(bind: session.restorePointSequence),
                    show_deleted = \(bind: session.showDeleted), show_all_versions = \(bind: session.showAllVersions),
                    state = \(bind: session.state.rawValue), result = \(bind: session.result.rawValue),
                    name = \(bind: session.name), ended_at = \(bind: session.endedAt?.catalogMilliseconds)
                WHERE id = \(bind: session.id.catalogText) RETURNING id
                """).all()
        }
        guard !updated.isEmpty else { throw CatalogError.notFound("Restore session \(session.id)") }
    }

    /// Appends events (to any sessions) in one transaction, after each session's existing events: positions are
    /// assigned here, in the order given, so two writers appending to one session never share a position (the
    /// events' own `order` is ignored).
    public func appendRestoreSessionEvents(_ events: [RestoreSessionEvent]) async throws {
        guard !events.isEmpty else { return }
        try await database.transaction { db in
            var next: [UUID: Int64] = [:]
            var positioned: [(RestoreSessionEvent, Int64)] = []
            for event in events {
                if next[event.sessionID] == nil {
                    let last = try await db.raw("""
                        SELECT MAX(position) AS last_position FROM restore_session_events
                        WHERE session_id = \(bind: event.sessionID.catalogText)
                        """).first(decodingColumn: "last_position", as: Int64?.self) ?? nil
                    next[event.sessionID] = (last ?? -1) + 1
                }
                positioned.append((event, next[event.sessionID]!))
                next[event.sessionID]! += 1
            }
            for batch in statementBatches(positioned, columnCount: 14) {
                let values = batch.map { event, position -> SQLQueryString in
                    """
                    (\(bind: event.id.catalogText), \(bind: event.sessionID.catalogText), \(bind: position), \
                    \(bind: event.type), \(bind: event.status.rawValue), \(bind: event.title), \(bind: event.message), \
                    \(bind: event.itemName), \(bind: event.itemType), \(bind: event.itemSizeBytes), \(bind: event.source), \
                    \(bind: event.target), \(bind: event.startTime.catalogMilliseconds), \
                    \(bind: event.endTime?.catalogMilliseconds))
                    """
                }
                try await db.raw("""
                    INSERT INTO restore_session_events (id, session_id, position, type, status, title, message, item_name,
                        item_type, item_size_bytes, source, target, start_time, end_time)
                    VALUES \(values.joined(separator: ", "))
                    """).run()
            }
        }
    }

    /// A session's events by their `order`.
    public func restoreSessionEvents(sessionID: UUID) async throws -> [RestoreSessionEvent] {
        try await database.read { db in
            try await db.raw("""
                SELECT \(unsafeRaw: Self.eventColumns) FROM restore_session_events
                WHERE session_id = \(bind: sessionID.catalogText) ORDER BY position, id
                """).all().map(Self.decodeEvent)
        }
    }

    /// One page of a session's events by their `order` (an indexed range, whatever the session's size).
    public func restoreSessionEvents(sessionID: UUID, offset: Int, limit: Int) async throws -> [RestoreSessionEvent] {
        try await database.read { db in
            try await db.raw("""
                SELECT \(unsafeRaw: Self.eventColumns) FROM restore_session_events
                WHERE session_id = \(bind: sessionID.catalogText) ORDER BY position, id
                LIMIT \(bind: Int64(max(0, limit))) OFFSET \(bind: Int64(max(0, offset)))
                """).all().map(Self.decodeEvent)
        }
    }

    /// How many events a session has.
    public func restoreSessionEventCount(sessionID: UUID) async throws -> Int {
        try await database.read { db in
            try await db.raw("""
                SELECT COUNT(*) AS event_count FROM restore_session_events WHERE session_id = \(bind: sessionID.catalogText)
                """).first(decodingColumn: "event_count", as: Int.self) ?? 0
        }
    }

    /// One event of a session, or `nil`.
    public func restoreSessionEvent(id: UUID, sessionID: UUID) async throws -> RestoreSessionEvent? {
        try await database.read { db in
            try await db.raw("""
                SELECT \(unsafeRaw: Self.eventColumns) FROM restore_session_events
                WHERE id = \(bind: id.catalogText) AND session_id = \(bind: sessionID.catalogText)
                """).first().map(Self.decodeEvent)
        }
    }

    static let eventColumns = """
        id, session_id, position, type, status, title, message, item_name, item_type, item_size_bytes, source, target, \
        start_time, end_time
        """

    static func decodeEvent(_ row: any SQLRow) throws -> RestoreSessionEvent {
        RestoreSessionEvent(
            id: try row.uuid("id", table: "restore_session_events"),
            sessionID: try row.uuid("session_id", table: "restore_session_events"),
            order: Int(try row.int64("position")),
            type: try row.string("type"),
            status: try row.enumValue("status", table: "restore_session_events", as: RestoreSessionEvent.Status.self),
            title: try row.string("title"),
            message: try row.string("message"),
            itemName: try row.optionalString("item_name"),
            itemType: try row.optionalString("item_type"),
            itemSizeBytes: try row.optionalInt64("item_size_bytes"),
            source: try row.optionalString("source"),
            target: try row.optionalString("target"),
            startTime: try row.date("start_time"),
            endTime: try row.optionalDate("end_time")
        )
    }

    static let restoreSessionColumns = """
        id, organization_id, job_id, kind, requested_time, restore_point_sequence, show_deleted, show_all_versions, \
        state, result, initiated_by, name, created_at, ended_at
        """

    static func decodeRestoreSession(_ row: any SQLRow) throws -> RestoreSession {
        RestoreSession(
            id: try row.uuid("id", table: "restore_sessions"),
            organizationID: try row.uuid("organization_id", table: "restore_sessions"),
            jobID: try row.optionalUUID("job_id", table: "restore_sessions"),
            kind: try row.enumValue("kind", table: "restore_sessions", as: RestoreSessionKind.self),
            requestedTime: try row.date("requested_time"),
            restorePointSequence: try row.optionalInt64("restore_point_sequence"),
            showDeleted: try row.bool("show_deleted"),
            showAllVersions: try row.bool("show_all_versions"),
            state: try row.enumValue("state", table: "restore_sessions", as: RestoreSession.State.self),
            result: try row.enumValue("result", table: "restore_sessions", as: RestoreSession.Result.self),
            initiatedBy: try row.string("initiated_by"),
            name: try row.string("name"),
            createdAt: try row.date("created_at"),
            endedAt: try row.optionalDate("ended_at")
        )
    }
}
