import Foundation
import LifeboatModel
import SQLKit

extension SQLCatalog {
    // MARK: Organizations

    /// Inserts an organization; throws if its id already exists.
    public func insertOrganization(_ organization: Organization) async throws {
        try await database.write { db in
            try await db.raw("""
                INSERT INTO organizations (id, name, tenant_id, client_id, login_base_url, graph_base_url, created_at, cloud,
                                           resource_units_per_minute, time_zone)
                VALUES (\(bind: organization.id.catalogText), \(bind: organization.name), \(bind: organization.tenantID),
                        \(bind: organization.clientID), \(bind: organization.loginBaseURL),
                        \(bind: organization.graphBaseURL), \(bind: organization.createdAt.catalogMilliseconds),
                        \(bind: organization.cloud.rawValue), \(bind: organization.resourceUnitsPerMinute.map(Int64.init)),
                        \(bind: organization.timeZoneIdentifier))
                """).run()
        }
    }

    /// Every organization, by name.
    public func organizations() async throws -> [Organization] {
        try await database.read { db in
            try await db.raw("SELECT \(unsafeRaw: Self.organizationColumns) FROM organizations ORDER BY name, id")
                .all().map(Self.decodeOrganization)
        }
    }

    /// One organization, or `nil` when unknown.
    public func organization(id: UUID) async throws -> Organization? {
        try await database.read { db in
            try await db.raw("SELECT \(unsafeRaw: Self.organizationColumns) FROM organizations WHERE id = \(bind: id.catalogText)")
                .first().map(Self.decodeOrganization)
        }
    }

    /// Encrypts and stores the organization's Graph client secret; throws `CatalogError.notFound` for an unknown id.
    public func setGraphSecret(_ secret: String, organizationID: UUID) async throws {
        let sealed = try sealer.seal(secret, organizationID: organizationID)
        let updated = try await database.write { db in
            try await db.raw("""
                UPDATE organizations SET graph_secret_sealed = \(bind: sealed)
                WHERE id = \(bind: organizationID.catalogText) RETURNING id
                """).all()
        }
        guard !updated.isEmpty else { throw CatalogError.notFound("Organization \(organizationID)") }
    }

    /// The decrypted Graph client secret, or `nil` when none was set; throws `CatalogError.secretUnreadable`
    /// when the catalog was opened with a different secret key.
    public func graphSecret(organizationID: UUID) async throws -> String? {
        let sealed = try await database.read { db in
            try await db.raw("SELECT graph_secret_sealed FROM organizations WHERE id = \(bind: organizationID.catalogText)")
                .first()?.bytes("graph_secret_sealed")
        }
        return try sealed.map { try sealer.open($0, organizationID: organizationID) }
    }

    // MARK: Repositories

    /// Inserts a repository record; throws if its id already exists.
    public func insertRepository(_ repository: BackupRepository) async throws {
        try await database.write { db in
            try await db.raw("""
                INSERT INTO repositories (id, name, location, description, created_at, retention)
                VALUES (\(bind: repository.id.catalogText), \(bind: repository.name), \(bind: repository.location),
                        \(bind: repository.description), \(bind: repository.createdAt.catalogMilliseconds),
                        \(bind: try repository.retention.map { try Self.json($0) }))
                """).run()
        }
    }

    /// Every repository, by name.
    public func repositories() async throws -> [BackupRepository] {
        try await database.read { db in
            try await db.raw("SELECT \(unsafeRaw: Self.repositoryColumns) FROM repositories ORDER BY name, id")
                .all().map(Self.decodeRepository)
        }
    }

    /// One repository, or `nil` when unknown.
    public func repository(id: UUID) async throws -> BackupRepository? {
        try await database.read { db in
            try await db.raw("SELECT \(unsafeRaw: Self.repositoryColumns) FROM repositories WHERE id = \(bind: id.catalogText)")
                .first().map(Self.decodeRepository)
        }
    }

    /// Sets the IANA time zone an organization's schedules are read in; throws `CatalogError.notFound` for an unknown one.
    public func setOrganizationTimeZone(id: UUID, identifier: String) async throws {
        let updated = try await database.write { db in
            try await db.raw("""
                UPDATE organizations SET time_zone = \(bind: identifier) WHERE id = \(bind: id.catalogText) RETURNING id
                """).all()
        }
        guard !updated.isEmpty else { throw CatalogError.notFound("Organization \(id)") }
    }

    /// Sets how long a repository's restore points are kept (nil: forever); throws `CatalogError.notFound` for an unknown one.
    public func setRepositoryRetention(id: UUID, _ policy: RetentionPolicy?) async throws {
        let json = try policy.map { try Self.json($0) }
        let updated = try await database.write { db in
            try await db.raw("""
                UPDATE repositories SET retention = \(bind: json) WHERE id = \(bind: id.catalogText) RETURNING id
                """).all()
        }
        guard !updated.isEmpty else { throw CatalogError.notFound("Repository \(id)") }
    }

    // MARK: Row mapping

    static let organizationColumns =
        "id, name, tenant_id, client_id, login_base_url, graph_base_url, created_at, cloud, resource_units_per_minute, time_zone"

    static func decodeOrganization(_ row: any SQLRow) throws -> Organization {
        Organization(
            id: try row.uuid("id", table: "organizations"),
            name: try row.string("name"),
            tenantID: try row.string("tenant_id"),
            clientID: try row.string("client_id"),
            loginBaseURL: try row.string("login_base_url"),
            graphBaseURL: try row.string("graph_base_url"),
            cloud: NationalCloud(rawValue: try row.string("cloud")) ?? .custom,
            resourceUnitsPerMinute: try row.optionalInt64("resource_units_per_minute").map { Int($0) },
            createdAt: try row.date("created_at"),
            timeZoneIdentifier: try row.string("time_zone")
        )
    }

    static let repositoryColumns = "id, name, location, description, created_at, retention"

    static func decodeRepository(_ row: any SQLRow) throws -> BackupRepository {
        BackupRepository(
            id: try row.uuid("id", table: "repositories"),
            name: try row.string("name"),
            location: try row.string("location"),
            description: try row.string("description"),
            createdAt: try row.date("created_at"),
            retention: try row.optionalString("retention") == nil
                ? nil : try row.json("retention", table: "repositories", as: RetentionPolicy.self)
        )
    }
}
