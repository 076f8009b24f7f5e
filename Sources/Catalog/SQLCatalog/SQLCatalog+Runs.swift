import Foundation
import LifeboatModel
import SQLKit

extension SQLCatalog {
    /// Inserts a run; its external id must be unique.
    public func insertRun(_ run: JobRun) async throws {
        let counters = try Self.json(run.counters)
        try await database.write { db in try await Self.insert(run, counters: counters, into: db) }
    }

    /// Inserts `run` only if fewer than `limit` runs of `kinds` are queued or running for its organization, checking
    /// and inserting in one write transaction so concurrent callers cannot both pass the check.
    /// - Returns: whether the run was inserted.
    public func insertRun(_ run: JobRun, ifFewerActiveThan limit: Int, kinds: Set<JobRunKind>) async throws -> Bool {
        let kindValues: [any Encodable & Sendable] = kinds.map(\.rawValue).sorted()
        return try await insertRun(
            run, ifFewerThan: limit,
            activeRunsWhere: "organization_id = \(bind: run.organizationID.catalogText) AND kind IN (\(binds: kindValues))")
    }

    /// Inserts `run` only if its job has no run queued or running, checking and inserting in one write transaction so
    /// that two near-simultaneous starts of one job cannot both be queued (SQLite's `BEGIN IMMEDIATE` serializes writers;
    /// an engine whose transactions do not, PostgreSQL's read committed, needs a unique index on a job's active run).
    /// - Returns: whether the run was inserted.
    public func insertRunIfJobIdle(_ run: JobRun) async throws -> Bool {
        guard let jobID = run.jobID else { throw CatalogError.invalidArgument("a run without a job cannot wait for its job") }
        return try await insertRun(run, ifFewerThan: 1, activeRunsWhere: "job_id = \(bind: jobID.catalogText)")
    }

    /// Inserts `run` if fewer than `limit` queued or running runs meet `condition`, in one write transaction.
    private func insertRun(_ run: JobRun, ifFewerThan limit: Int, activeRunsWhere condition: SQLQueryString) async throws -> Bool {
        let counters = try Self.json(run.counters)
        return try await database.transaction { db in
            let active = try await db.raw("""
                SELECT COUNT(*) AS run_count FROM job_runs
                WHERE \(condition) AND state IN (\(binds: [JobRunState.queued.rawValue, JobRunState.running.rawValue]))
                """).first(decodingColumn: "run_count", as: Int.self) ?? 0
            guard active < limit else { return false }
            try await Self.insert(run, counters: counters, into: db)
            return true
        }
    }

    private static func insert(_ run: JobRun, counters: String, into db: any SQLDatabase) async throws {
        let owner = run.lease?.owner
        try await db.raw("""
            INSERT INTO job_runs (id, external_id, job_id, organization_id, kind, state, created_at, started_at,
                                  ended_at, counters, request, owner_id, owner_host, owner_pid, owner_boot_id,
                                  owner_pid_namespace, owner_start_time, lease_expires_at, scheduled_attempt)
            VALUES (\(bind: run.id.catalogText), \(bind: run.externalID), \(bind: run.jobID?.catalogText),
                    \(bind: run.organizationID.catalogText), \(bind: run.kind.rawValue), \(bind: run.state.rawValue),
                    \(bind: run.createdAt.catalogMilliseconds), \(bind: run.startedAt?.catalogMilliseconds),
                    \(bind: run.endedAt?.catalogMilliseconds), \(bind: counters), \(bind: run.request),
                    \(bind: owner?.id.catalogText), \(bind: owner?.host), \(bind: owner.map { Int64($0.pid) }),
                    \(bind: owner?.bootID), \(bind: owner?.pidNamespace.map { Int64(bitPattern: $0) }),
                    \(bind: owner?.startTime.map { Int64(bitPattern: $0) }), \(bind: run.lease?.expiresAt.catalogMilliseconds),
                    \(bind: run.scheduledAttempt))
            """).run()
    }

    /// Extends to `expiresAt` the leases of those of `runIDs` that are queued or running and `ownerID` still holds, in
    /// one statement (an owner's heartbeat); returns the ids of the runs renewed. A run missing from the answer ended,
    /// or another owner claimed it.
    public func renewRunLeases(_ runIDs: Set<UUID>, ownerID: UUID, until expiresAt: Date) async throws -> Set<UUID> {
        guard !runIDs.isEmpty else { return [] }
        var renewed: Set<UUID> = []
        for batch in statementBatches(runIDs.sorted { $0.uuidString < $1.uuidString }, columnCount: 1) {
            let ids: [any Encodable & Sendable] = batch.map(\.catalogText)
            let rows = try await database.write { db in
                try await db.raw("""
                    UPDATE job_runs SET lease_expires_at = \(bind: expiresAt.catalogMilliseconds)
                    WHERE id IN (\(binds: ids)) AND owner_id = \(bind: ownerID.catalogText)
                      AND state IN (\(binds: Self.activeRunStates))
                    RETURNING id
                    """).all()
            }
            renewed.formUnion(try rows.map { try $0.uuid("id", table: "job_runs") })
        }
        return renewed
    }

    /// Gives a queued or running run to `lease`'s owner, only if its lease is still `expected` (the same owner and
    /// expiry, or none): a compare-and-set, so that of two processes that judged the run abandoned only one takes it,
    /// and an owner that renewed meanwhile keeps it.
    /// - Returns: whether the run was claimed.
    public func claimRun(id: UUID, expecting expected: RunLease?, lease: RunLease) async throws -> Bool {
        let unchanged: SQLQueryString = if let expected {
            "owner_id = \(bind: expected.owner.id.catalogText) AND lease_expires_at = \(bind: expected.expiresAt.catalogMilliseconds)"
        } else {
            "owner_id IS NULL"
        }
        let owner = lease.owner
        let claimed = try await database.write { db in
            try await db.raw("""
                UPDATE job_runs SET owner_id = \(bind: owner.id.catalogText), owner_host = \(bind: owner.host),
                    owner_pid = \(bind: Int64(owner.pid)), owner_boot_id = \(bind: owner.bootID),
                    owner_pid_namespace = \(bind: owner.pidNamespace.map { Int64(bitPattern: $0) }),
                    owner_start_time = \(bind: owner.startTime.map { Int64(bitPattern: $0) }),
                    lease_expires_at = \(bind: lease.expiresAt.catalogMilliseconds)
                WHERE id = \(bind: id.catalogText)
                  AND state IN (\(binds: [JobRunState.queued.rawValue, JobRunState.running.rawValue])) AND \(unchanged)
                RETURNING id
                """).all()
        }
        return !claimed.isEmpty
    }

    /// One run by Lifeboat's id, or `nil`.
    public func run(id: UUID) async throws -> JobRun? {
        try await database.read { db in
            try await db.raw("SELECT \(unsafeRaw: Self.runColumns) FROM job_runs WHERE id = \(bind: id.catalogText)")
                .first().map(Self.decodeRun)
        }
    }

    /// One run by its AvePoint-style external id, or `nil`.
    public func run(externalID: String) async throws -> JobRun? {
        try await database.read { db in
            try await db.raw("SELECT \(unsafeRaw: Self.runColumns) FROM job_runs WHERE external_id = \(bind: externalID)")
                .first().map(Self.decodeRun)
        }
    }

    /// Runs of a job, newest (by creation time) first.
    public func runs(jobID: UUID) async throws -> [JobRun] {
        try await database.read { db in
            try await db.raw("""
                SELECT \(unsafeRaw: Self.runColumns) FROM job_runs WHERE job_id = \(bind: jobID.catalogText)
                ORDER BY created_at DESC, external_id DESC
                """).all().map(Self.decodeRun)
        }
    }

    /// The latest run the scheduler started for a job (its first attempt or a retry), or nil.
    public func latestScheduledRun(jobID: UUID) async throws -> JobRun? {
        try await database.read { db in
            try await db.raw("""
                SELECT \(unsafeRaw: Self.runColumns) FROM job_runs
                WHERE job_id = \(bind: jobID.catalogText) AND scheduled_attempt IS NOT NULL AND state <> 'skipped'
                ORDER BY created_at DESC, external_id DESC LIMIT 1
                """).first().map(Self.decodeRun)
        }
    }

    /// Runs of the given kinds in the given states, of every organization, oldest first.
    public func runs(kinds: Set<JobRunKind>, states: Set<JobRunState>) async throws -> [JobRun] {
        guard !kinds.isEmpty, !states.isEmpty else { return [] }
        let kindValues: [any Encodable & Sendable] = kinds.map(\.rawValue).sorted()
        let stateValues: [any Encodable & Sendable] = states.map(\.rawValue).sorted()
        return try await database.read { db in
            try await db.raw("""
                SELECT \(unsafeRaw: Self.runColumns) FROM job_runs
                WHERE kind IN (\(binds: kindValues)) AND state IN (\(binds: stateValues))
                ORDER BY created_at, external_id
                """).all().map(Self.decodeRun)
        }
    }

    /// The page of the runs `filter` admits, newest (by creation time) first; a job's runs are read through its
    /// `(job_id, created_at)` index.
    public func runs(_ filter: RunFilter, offset: Int, limit: Int) async throws -> [JobRun] {
        guard !filter.kinds.isEmpty, limit > 0 else { return [] }
        return try await database.read { db in
            try await db.raw("""
                SELECT \(unsafeRaw: Self.runColumns) FROM job_runs WHERE \(Self.condition(filter))
                ORDER BY created_at DESC, external_id DESC LIMIT \(bind: limit) OFFSET \(bind: max(0, offset))
                """).all().map(Self.decodeRun)
        }
    }

    /// How many runs `filter` admits.
    public func countRuns(_ filter: RunFilter) async throws -> Int {
        guard !filter.kinds.isEmpty else { return 0 }
        return try await database.read { db in
            try await db.raw("SELECT COUNT(*) AS run_count FROM job_runs WHERE \(Self.condition(filter))")
                .first(decodingColumn: "run_count", as: Int.self) ?? 0
        }
    }

    /// The `WHERE` condition of `filter` (whose kinds must not be empty).
    static func condition(_ filter: RunFilter) -> SQLQueryString {
        let kindValues: [any Encodable & Sendable] = filter.kinds.map(\.rawValue).sorted()
        var condition: SQLQueryString = "kind IN (\(binds: kindValues))"
        if let jobID = filter.jobID { condition = "job_id = \(bind: jobID.catalogText) AND " + condition }
        if let ended = filter.endedAtOrAfter {
            condition = condition + " AND (ended_at IS NULL OR ended_at >= \(bind: ended.catalogMilliseconds))"
        }
        return condition
    }

    /// Replaces state, times, counters and request of a run; with `leaseOwner`, only while that owner holds the lease of
    /// the run and it is queued or running, checked by the same statement.
    /// - Throws: `CatalogError.leaseLost` when `leaseOwner` does not hold the run; `CatalogError.notFound` for an unknown id.
    public func updateRun(_ run: JobRun, leaseOwner: UUID?) async throws {
        let counters = try Self.json(run.counters)
        let held: SQLQueryString = if let leaseOwner {
            "owner_id = \(bind: leaseOwner.catalogText) AND state IN (\(binds: Self.activeRunStates))"
        } else {
            "TRUE"
        }
        try await database.transaction { db in
            let updated = try await db.raw("""
                UPDATE job_runs SET state = \(bind: run.state.rawValue),
                    started_at = \(bind: run.startedAt?.catalogMilliseconds),
                    ended_at = \(bind: run.endedAt?.catalogMilliseconds),
                    counters = \(bind: counters), request = \(bind: run.request)
                WHERE id = \(bind: run.id.catalogText) AND \(held) RETURNING id
                """).all()
            guard updated.isEmpty else { return }
            try await Self.requireLease(of: run.id, heldBy: leaseOwner, in: db)
            throw CatalogError.notFound("Run \(run.id)")
        }
    }

    /// Throws `CatalogError.leaseLost` unless `owner` (when given) holds the lease of the run, queued or running;
    /// `CatalogError.notFound` for an unknown run.
    static func requireLease(of runID: UUID, heldBy owner: UUID?, in db: any SQLDatabase) async throws {
        guard let row = try await db.raw("""
            SELECT owner_id, state FROM job_runs WHERE id = \(bind: runID.catalogText)
            """).first()
        else { throw CatalogError.notFound("Run \(runID)") }
        guard let owner else { return }
        let state = try row.enumValue("state", table: "job_runs", as: JobRunState.self)
        guard try row.optionalUUID("owner_id", table: "job_runs") == owner, state == .queued || state == .running else {
            throw CatalogError.leaseLost(runID: runID)
        }
    }

    /// The states of a run still under way, whose lease matters.
    static let activeRunStates: [any Encodable & Sendable] = [JobRunState.queued.rawValue, JobRunState.running.rawValue]

    /// How many runs of the organization have one of `kinds` and one of `states` (0 when either set is empty).
    public func countRuns(organizationID: UUID, kinds: Set<JobRunKind>, states: Set<JobRunState>) async throws -> Int {
        guard !kinds.isEmpty, !states.isEmpty else { return 0 }
        let kindValues: [any Encodable & Sendable] = kinds.map(\.rawValue).sorted()
        let stateValues: [any Encodable & Sendable] = states.map(\.rawValue).sorted()
        return try await database.read { db in
            try await db.raw("""
                SELECT COUNT(*) AS run_count FROM job_runs
                WHERE organization_id = \(bind: organizationID.catalogText)
                  AND state IN (\(binds: stateValues)) AND kind IN (\(binds: kindValues))
                """).first(decodingColumn: "run_count", as: Int.self) ?? 0
        }
    }

    /// Appends errors to a run's log in one transaction, keeping their order.
    public func appendRunErrors(_ errors: [RunError], runID: UUID) async throws {
        guard !errors.isEmpty else { return }
        let batches = statementBatches(errors, columnCount: 4)
        try await database.transaction { db in
            for batch in batches {
                let values = batch.map { error -> SQLQueryString in
                    "(\(bind: runID.catalogText), \(bind: error.message), \(bind: error.itemPath), \(bind: error.occurredAt.catalogMilliseconds))"
                }
                try await db.raw("""
                    INSERT INTO run_errors (run_id, message, item_path, occurred_at)
                    VALUES \(values.joined(separator: ", "))
                    """).run()
            }
        }
    }

    /// A run's errors in the order they were appended.
    public func runErrors(runID: UUID) async throws -> [RunError] {
        try await database.read { db in
            try await db.raw("""
                SELECT message, item_path, occurred_at FROM run_errors WHERE run_id = \(bind: runID.catalogText) ORDER BY id
                """).all().map { row in
                RunError(message: try row.string("message"), itemPath: try row.optionalString("item_path"),
                         occurredAt: try row.date("occurred_at"))
            }
        }
    }

    /// A run's errors grouped by message, most frequent first (ties by message).
    public func runErrorSummary(runID: UUID) async throws -> [RunErrorSummary] {
        try await database.read { db in
            try await db.raw("""
                SELECT message, COUNT(*) AS error_count FROM run_errors WHERE run_id = \(bind: runID.catalogText)
                GROUP BY message ORDER BY error_count DESC, message
                """).all().map { row in
                RunErrorSummary(message: try row.string("message"), count: try row.decode(column: "error_count", as: Int.self))
            }
        }
    }

    static let runColumns = """
        id, external_id, job_id, organization_id, kind, state, created_at, started_at, ended_at, counters, request,
        owner_id, owner_host, owner_pid, owner_boot_id, owner_pid_namespace, owner_start_time, lease_expires_at,
        scheduled_attempt
        """

    static func decodeRun(_ row: any SQLRow) throws -> JobRun {
        JobRun(
            id: try row.uuid("id", table: "job_runs"),
            externalID: try row.string("external_id"),
            jobID: try row.optionalUUID("job_id", table: "job_runs"),
            organizationID: try row.uuid("organization_id", table: "job_runs"),
            kind: try row.enumValue("kind", table: "job_runs", as: JobRunKind.self),
            state: try row.enumValue("state", table: "job_runs", as: JobRunState.self),
            createdAt: try row.date("created_at"),
            startedAt: try row.optionalDate("started_at"),
            endedAt: try row.optionalDate("ended_at"),
            counters: try row.json("counters", table: "job_runs", as: RunCounters.self),
            request: try row.optionalString("request"),
            lease: try decodeLease(row),
            scheduledAttempt: try row.optionalInt64("scheduled_attempt").map { Int($0) }
        )
    }

    /// The run's lease, nil when it has no owner (recorded before owners were, or by `insertRun` without one).
    private static func decodeLease(_ row: any SQLRow) throws -> RunLease? {
        guard let ownerID = try row.optionalUUID("owner_id", table: "job_runs"),
            let expiresAt = try row.optionalDate("lease_expires_at")
        else { return nil }
        let owner = RunOwner(
            id: ownerID, host: try row.optionalString("owner_host") ?? "",
            pid: Int32(truncatingIfNeeded: try row.optionalInt64("owner_pid") ?? 0),
            bootID: try row.optionalString("owner_boot_id"),
            pidNamespace: try row.optionalInt64("owner_pid_namespace").map { UInt64(bitPattern: $0) },
            startTime: try row.optionalInt64("owner_start_time").map { UInt64(bitPattern: $0) })
        return RunLease(owner: owner, expiresAt: expiresAt)
    }
}
