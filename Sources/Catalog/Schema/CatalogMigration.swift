/// One versioned step of the catalog schema, applied once in its own transaction.
///
/// Statements may use the placeholders of `SQLDialectSupport.expand(_:)`. Never edit a released migration:
/// append a new one with the next version.
struct CatalogMigration: Sendable {
    /// Position in the ordered list; stored in `schema_migrations.version`.
    let version: Int
    /// Short human description, stored alongside the version.
    let name: String
    /// Statements run in order inside the migration's transaction.
    let statements: [String]

    /// Every migration, oldest first.
    static let all: [CatalogMigration] = [
        initialSchema, organizationCloudAndBudget, enumerationLedger, catalogIdentity, runOwnersAndLeases, schedules,
        retention,
    ]

    /// Version 1: every table of the catalog and an index for every query the catalog runs.
    static let initialSchema = CatalogMigration(
        version: 1,
        name: "initial schema",
        statements: [
            """
            CREATE TABLE organizations (
                id TEXT PRIMARY KEY,
                name TEXT NOT NULL,
                tenant_id TEXT NOT NULL,
                client_id TEXT NOT NULL,
                login_base_url TEXT NOT NULL,
                graph_base_url TEXT NOT NULL,
                created_at BIGINT NOT NULL,
                graph_secret_sealed {{BLOB}}
            )
            """,
            "CREATE INDEX organizations_by_name ON organizations (name)",
            """
            CREATE TABLE repositories (
                id TEXT PRIMARY KEY,
                name TEXT NOT NULL,
                location TEXT NOT NULL,
                description TEXT NOT NULL,
                created_at BIGINT NOT NULL
            )
            """,
            "CREATE INDEX repositories_by_name ON repositories (name)",
            """
            CREATE TABLE jobs (
                id TEXT PRIMARY KEY,
                organization_id TEXT NOT NULL REFERENCES organizations (id),
                repository_id TEXT NOT NULL REFERENCES repositories (id),
                name TEXT NOT NULL,
                description TEXT NOT NULL,
                scope TEXT NOT NULL,
                is_enabled BOOLEAN NOT NULL,
                last_run BIGINT,
                last_status TEXT NOT NULL,
                created_at BIGINT NOT NULL
            )
            """,
            "CREATE INDEX jobs_by_name ON jobs (name)",
            "CREATE INDEX jobs_by_organization ON jobs (organization_id)",
            "CREATE INDEX jobs_by_repository ON jobs (repository_id)",
            """
            CREATE TABLE job_runs (
                id TEXT PRIMARY KEY,
                external_id TEXT NOT NULL UNIQUE,
                job_id TEXT REFERENCES jobs (id),
                organization_id TEXT NOT NULL REFERENCES organizations (id),
                kind TEXT NOT NULL,
                state TEXT NOT NULL,
                created_at BIGINT NOT NULL,
                started_at BIGINT,
                ended_at BIGINT,
                counters TEXT NOT NULL,
                request TEXT
            )
            """,
            "CREATE INDEX job_runs_by_job ON job_runs (job_id, created_at)",
            "CREATE INDEX job_runs_by_organization_state ON job_runs (organization_id, state, kind)",
            """
            CREATE TABLE run_errors (
                id {{AUTO_PK}},
                run_id TEXT NOT NULL REFERENCES job_runs (id) ON DELETE CASCADE,
                message TEXT NOT NULL,
                item_path TEXT,
                occurred_at BIGINT NOT NULL
            )
            """,
            "CREATE INDEX run_errors_by_run ON run_errors (run_id, id)",
            "CREATE INDEX run_errors_by_run_message ON run_errors (run_id, message)",
            """
            CREATE TABLE drives (
                drive_id TEXT PRIMARY KEY,
                organization_id TEXT NOT NULL REFERENCES organizations (id),
                kind TEXT NOT NULL,
                name TEXT NOT NULL,
                web_url TEXT NOT NULL,
                owner_upn TEXT,
                owner_display_name TEXT,
                site_id TEXT,
                site_url TEXT,
                site_title TEXT
            )
            """,
            "CREATE INDEX drives_by_organization ON drives (organization_id, name)",
            """
            CREATE TABLE restore_points (
                sequence {{AUTO_PK}},
                id TEXT NOT NULL UNIQUE,
                job_id TEXT NOT NULL REFERENCES jobs (id),
                run_id TEXT NOT NULL,
                organization_id TEXT NOT NULL REFERENCES organizations (id),
                repository_id TEXT NOT NULL REFERENCES repositories (id),
                backup_time BIGINT NOT NULL,
                is_one_drive BOOLEAN NOT NULL,
                is_share_point BOOLEAN NOT NULL,
                committed BOOLEAN NOT NULL,
                committed_at BIGINT
            )
            """,
            "CREATE INDEX restore_points_by_job ON restore_points (job_id, committed, backup_time)",
            "CREATE INDEX restore_points_by_organization ON restore_points (organization_id, committed, backup_time)",
            "CREATE INDEX restore_points_by_repository ON restore_points (repository_id, committed, backup_time)",
            "CREATE INDEX restore_points_by_time ON restore_points (committed, backup_time)",
            """
            CREATE TABLE delta_links (
                job_id TEXT NOT NULL REFERENCES jobs (id),
                drive_id TEXT NOT NULL,
                link TEXT NOT NULL,
                restore_point_sequence BIGINT NOT NULL,
                updated_at BIGINT NOT NULL,
                PRIMARY KEY (job_id, drive_id)
            )
            """,
            """
            CREATE TABLE item_versions (
                row_id {{AUTO_PK}},
                job_id TEXT NOT NULL REFERENCES jobs (id),
                drive_id TEXT NOT NULL,
                item_id TEXT NOT NULL,
                parent_id TEXT,
                name TEXT NOT NULL,
                is_folder BOOLEAN NOT NULL,
                is_root BOOLEAN NOT NULL,
                size BIGINT NOT NULL,
                etag TEXT,
                ctag TEXT,
                quick_xor_hash TEXT,
                mime_type TEXT,
                created_at BIGINT,
                modified_at BIGINT,
                created_by TEXT,
                modified_by TEXT,
                graph_version_id TEXT,
                is_historical BOOLEAN NOT NULL,
                content {{BLOB}},
                valid_from BIGINT NOT NULL REFERENCES restore_points (sequence),
                valid_to BIGINT REFERENCES restore_points (sequence)
            )
            """,
            "CREATE INDEX item_versions_by_item ON item_versions (job_id, drive_id, item_id, valid_from)",
            "CREATE INDEX item_versions_by_parent ON item_versions (job_id, drive_id, parent_id, valid_from)",
            "CREATE INDEX item_versions_open ON item_versions (job_id, drive_id, valid_to, item_id)",
            "CREATE INDEX item_versions_by_valid_from ON item_versions (valid_from)",
            "CREATE INDEX item_versions_by_valid_to ON item_versions (valid_to)",
            """
            CREATE TABLE restore_sessions (
                id TEXT PRIMARY KEY,
                organization_id TEXT NOT NULL REFERENCES organizations (id),
                job_id TEXT,
                kind TEXT NOT NULL,
                requested_time BIGINT NOT NULL,
                restore_point_sequence BIGINT,
                show_deleted BOOLEAN NOT NULL,
                show_all_versions BOOLEAN NOT NULL,
                state TEXT NOT NULL,
                result TEXT NOT NULL,
                initiated_by TEXT NOT NULL,
                name TEXT NOT NULL,
                created_at BIGINT NOT NULL,
                ended_at BIGINT
            )
            """,
            "CREATE INDEX restore_sessions_by_created ON restore_sessions (created_at)",
            """
            CREATE TABLE restore_session_events (
                id TEXT PRIMARY KEY,
                session_id TEXT NOT NULL REFERENCES restore_sessions (id) ON DELETE CASCADE,
                position BIGINT NOT NULL,
                type TEXT NOT NULL,
                status TEXT NOT NULL,
                title TEXT NOT NULL,
                message TEXT NOT NULL,
                item_name TEXT,
                item_type TEXT,
                item_size_bytes BIGINT,
                source TEXT,
                target TEXT,
                start_time BIGINT NOT NULL,
                end_time BIGINT
            )
            """,
            "CREATE INDEX restore_session_events_by_session ON restore_session_events (session_id, position)",
            """
            CREATE TABLE principals (
                id TEXT PRIMARY KEY,
                name TEXT NOT NULL UNIQUE,
                kind TEXT NOT NULL,
                scopes TEXT NOT NULL,
                secret_hash TEXT NOT NULL,
                created_at BIGINT NOT NULL
            )
            """,
            """
            CREATE TABLE tokens (
                token_hash TEXT PRIMARY KEY,
                principal_id TEXT NOT NULL REFERENCES principals (id) ON DELETE CASCADE,
                is_refresh BOOLEAN NOT NULL,
                issued_at BIGINT NOT NULL,
                expires_at BIGINT NOT NULL
            )
            """,
            "CREATE INDEX tokens_by_expiry ON tokens (expires_at)",
            "CREATE INDEX tokens_by_principal ON tokens (principal_id)",
        ]
    )

    /// Version 2: each organization's Microsoft cloud (recognised from its Graph URL for existing rows, compared like
    /// `NationalCloud(graphBaseURL:)` does: lowercased, without trailing slashes) and the Graph
    /// budget, in resource units per minute, Lifeboat paces itself to (NULL for the default).
    static let organizationCloudAndBudget = CatalogMigration(
        version: 2,
        name: "organization cloud and Graph budget",
        statements: [
            "ALTER TABLE organizations ADD COLUMN cloud TEXT NOT NULL DEFAULT 'custom'",
            "ALTER TABLE organizations ADD COLUMN resource_units_per_minute BIGINT",
            """
            UPDATE organizations SET cloud = CASE RTRIM(LOWER(graph_base_url), '/')
                WHEN 'https://graph.microsoft.com/v1.0' THEN 'worldwide'
                WHEN 'https://graph.microsoft.us/v1.0' THEN 'usgov'
                WHEN 'https://dod-graph.microsoft.us/v1.0' THEN 'usdod'
                WHEN 'https://microsoftgraph.chinacloudapi.cn/v1.0' THEN 'china'
                ELSE 'custom' END
            """,
        ]
    )

    /// Version 3: the ledger of a drive's enumeration in progress (see `CatalogStore.clearEnumerationLedger`).
    static let enumerationLedger = CatalogMigration(
        version: 3,
        name: "enumeration ledger",
        statements: [
            """
            CREATE TABLE enumeration_ledger (
                sequence BIGINT NOT NULL,
                drive_id TEXT NOT NULL,
                item_id TEXT NOT NULL,
                pass BIGINT NOT NULL,
                tally TEXT,
                PRIMARY KEY (sequence, drive_id, item_id)
            )
            """
        ]
    )

    /// Version 4: the catalog's own id, which registers it in the repositories it writes to (see `CatalogStore.identity`).
    static let catalogIdentity = CatalogMigration(
        version: 4,
        name: "catalog identity",
        statements: ["CREATE TABLE catalog_identity (id TEXT PRIMARY KEY, created_at BIGINT NOT NULL)"]
    )

    /// Version 5: who works on each queued or running run and until when (see `RunLease`), so that any process can tell
    /// a run whose owner died (its lease lapsed, or its process is gone from this host) from one still under way.
    /// Rows from before have no owner: an active one among them is abandoned.
    static let runOwnersAndLeases = CatalogMigration(
        version: 5,
        name: "run owners and leases",
        statements: [
            "ALTER TABLE job_runs ADD COLUMN owner_id TEXT",
            "ALTER TABLE job_runs ADD COLUMN owner_host TEXT",
            "ALTER TABLE job_runs ADD COLUMN owner_pid BIGINT",
            "ALTER TABLE job_runs ADD COLUMN owner_boot_id TEXT",
            "ALTER TABLE job_runs ADD COLUMN owner_pid_namespace BIGINT",
            "ALTER TABLE job_runs ADD COLUMN owner_start_time BIGINT",
            "ALTER TABLE job_runs ADD COLUMN lease_expires_at BIGINT",
            // Renewal finds an owner's active runs; a claim (issue 16's workers) scans active runs by lease expiry.
            "CREATE INDEX job_runs_by_owner ON job_runs (owner_id, state)",
            "CREATE INDEX job_runs_by_state_lease ON job_runs (state, lease_expires_at)",
        ]
    )

    /// Version 6: schedules. A job's schedule (JSON of `BackupSchedule`, NULL for manual only) and the instant up to which
    /// its due runs were handled; an organization's time zone; a run's scheduled attempt (NULL when a person started it).
    static let schedules = CatalogMigration(
        version: 6,
        name: "schedules",
        statements: [
            "ALTER TABLE jobs ADD COLUMN schedule TEXT",
            "ALTER TABLE jobs ADD COLUMN scheduled_through BIGINT",
            "ALTER TABLE organizations ADD COLUMN time_zone TEXT NOT NULL DEFAULT 'UTC'",
            "ALTER TABLE job_runs ADD COLUMN scheduled_attempt INTEGER",
            // The scheduler reads each job's latest scheduled run.
            "CREATE INDEX job_runs_by_job_scheduled ON job_runs (job_id, scheduled_attempt, created_at)",
        ]
    )

    /// Version 7: retention. A repository's policy (JSON of `RetentionPolicy`, NULL keeps everything) and when a restore
    /// point expired: expired points stay as rows (item versions still name them as `valid_from`) but leave every listing.
    static let retention = CatalogMigration(
        version: 7,
        name: "retention",
        statements: [
            "ALTER TABLE repositories ADD COLUMN retention TEXT",
            "ALTER TABLE restore_points ADD COLUMN expired_at BIGINT",
            "CREATE INDEX restore_points_by_job_time ON restore_points (job_id, backup_time)",
            // Veeam's list of every job's sessions pages backup runs newest first.
            "CREATE INDEX job_runs_by_kind_created ON job_runs (kind, created_at, external_id)",
        ]
    )
}
