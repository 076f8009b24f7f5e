import Foundation
import LifeboatModel
import SQLKit

extension SQLCatalog {
    /// Inserts a backup job; its organization and repository must exist, and no other job may have its name.
    ///
    /// Throws `CatalogError.alreadyExists` when a job of that name exists. The check and the insert are one write
    /// transaction (SQLite's `BEGIN IMMEDIATE` serializes writers), so two concurrent inserts of one name cannot both
    /// pass. No unique index enforces it: catalogs written before this rule may hold duplicate names already, and
    /// commands naming such a job ask for its id instead.
    public func insertJob(_ job: BackupJob) async throws {
        let scope = try Self.json(job.scope)
        let schedule = try Self.scheduleJSON(job.schedule)
        try await database.transaction { db in
            let sameName = try await db.raw("SELECT COUNT(*) AS job_count FROM jobs WHERE name = \(bind: job.name)")
                .first(decodingColumn: "job_count", as: Int.self) ?? 0
            guard sameName == 0 else { throw CatalogError.alreadyExists("A backup job named '\(job.name)'") }
            try await db.raw("""
                INSERT INTO jobs (id, organization_id, repository_id, name, description, scope, is_enabled,
                                  last_run, last_status, created_at, schedule, scheduled_through)
                VALUES (\(bind: job.id.catalogText), \(bind: job.organizationID.catalogText),
                        \(bind: job.repositoryID.catalogText), \(bind: job.name), \(bind: job.description),
                        \(bind: scope), \(bind: job.isEnabled), \(bind: job.lastRun?.catalogMilliseconds),
                        \(bind: job.lastStatus.rawValue), \(bind: job.createdAt.catalogMilliseconds), \(bind: schedule),
                        \(bind: job.scheduledThrough?.catalogMilliseconds))
                """).run()
        }
    }

    /// Every job, by name.
    public func jobs() async throws -> [BackupJob] {
        try await database.read { db in
            try await db.raw("SELECT \(unsafeRaw: Self.jobColumns) FROM jobs ORDER BY name, id").all().map(Self.decodeJob)
        }
    }

    /// One job, or `nil` when unknown.
    public func job(id: UUID) async throws -> BackupJob? {
        try await database.read { db in
            try await db.raw("SELECT \(unsafeRaw: Self.jobColumns) FROM jobs WHERE id = \(bind: id.catalogText)")
                .first().map(Self.decodeJob)
        }
    }

    /// Records the start time and outcome of a job's latest run; throws `CatalogError.notFound` for an unknown job.
    public func updateJobStatus(id: UUID, lastRun: Date?, lastStatus: JobStatus) async throws {
        let updated = try await database.write { db in
            try await db.raw("""
                UPDATE jobs SET last_run = \(bind: lastRun?.catalogMilliseconds), last_status = \(bind: lastStatus.rawValue)
                WHERE id = \(bind: id.catalogText) RETURNING id
                """).all()
        }
        guard !updated.isEmpty else { throw CatalogError.notFound("Job \(id)") }
    }

    /// Replaces a job's schedule and starts counting its due runs from `now`, so that runs "missed" under the old
    /// schedule are not started; throws `CatalogError.notFound` for an unknown job.
    public func updateJobSchedule(id: UUID, schedule: BackupSchedule, now: Date) async throws {
        let json = try Self.scheduleJSON(schedule)
        try await updateJob(id: id, "schedule = \(bind: json), scheduled_through = \(bind: now.catalogMilliseconds)")
    }

    /// Enables or disables a job; enabling starts counting its due runs from `now` (a job disabled for a month does not
    /// run the moment it is enabled). Throws `CatalogError.notFound` for an unknown job.
    public func setJobEnabled(id: UUID, _ enabled: Bool, now: Date) async throws {
        try await updateJob(
            id: id, "is_enabled = \(bind: enabled), scheduled_through = \(bind: now.catalogMilliseconds)")
    }

    /// Records that every scheduled run of the job due up to `instant` was handled.
    public func setJobScheduledThrough(id: UUID, _ instant: Date) async throws {
        try await updateJob(id: id, "scheduled_through = \(bind: instant.catalogMilliseconds)")
    }

    private func updateJob(id: UUID, _ assignments: SQLQueryString) async throws {
        let updated = try await database.write { db in
            try await db.raw("UPDATE jobs SET \(assignments) WHERE id = \(bind: id.catalogText) RETURNING id").all()
        }
        guard !updated.isEmpty else { throw CatalogError.notFound("Job \(id)") }
    }

    /// A schedule as stored: NULL for manual only, else its JSON.
    private static func scheduleJSON(_ schedule: BackupSchedule) throws -> String? {
        schedule == .manualOnly ? nil : try json(schedule)
    }

    static let jobColumns =
        "id, organization_id, repository_id, name, description, scope, is_enabled, last_run, last_status, created_at, "
        + "schedule, scheduled_through"

    static func decodeJob(_ row: any SQLRow) throws -> BackupJob {
        BackupJob(
            id: try row.uuid("id", table: "jobs"),
            organizationID: try row.uuid("organization_id", table: "jobs"),
            repositoryID: try row.uuid("repository_id", table: "jobs"),
            name: try row.string("name"),
            description: try row.string("description"),
            scope: try row.json("scope", table: "jobs", as: BackupScope.self),
            isEnabled: try row.bool("is_enabled"),
            lastRun: try row.optionalDate("last_run"),
            lastStatus: try row.enumValue("last_status", table: "jobs", as: JobStatus.self),
            createdAt: try row.date("created_at"),
            schedule: try row.optionalString("schedule") == nil
                ? .manualOnly : try row.json("schedule", table: "jobs", as: BackupSchedule.self),
            scheduledThrough: try row.optionalDate("scheduled_through")
        )
    }
}
