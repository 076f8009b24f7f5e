import Foundation
import LifeboatModel
import SQLKit

extension SQLCatalog {
    /// Inserts a drive or replaces what is known of it (keyed by Graph drive id).
    public func upsertDrive(_ drive: ProtectedDrive) async throws {
        try await database.write { db in
            try await db.raw("""
                INSERT INTO drives (drive_id, organization_id, kind, name, web_url, owner_upn, owner_display_name,
                                    site_id, site_url, site_title)
                VALUES (\(bind: drive.driveID), \(bind: drive.organizationID.catalogText), \(bind: drive.kind.rawValue),
                        \(bind: drive.name), \(bind: drive.webURL), \(bind: drive.ownerUPN), \(bind: drive.ownerDisplayName),
                        \(bind: drive.siteID), \(bind: drive.siteURL), \(bind: drive.siteTitle))
                ON CONFLICT (drive_id) DO UPDATE SET organization_id = excluded.organization_id, kind = excluded.kind,
                    name = excluded.name, web_url = excluded.web_url, owner_upn = excluded.owner_upn,
                    owner_display_name = excluded.owner_display_name, site_id = excluded.site_id,
                    site_url = excluded.site_url, site_title = excluded.site_title
                """).run()
        }
    }

    /// The organization's drives, by name.
    public func drives(organizationID: UUID) async throws -> [ProtectedDrive] {
        try await database.read { db in
            try await db.raw("""
                SELECT \(unsafeRaw: Self.driveColumns) FROM drives WHERE organization_id = \(bind: organizationID.catalogText)
                ORDER BY name, drive_id
                """).all().map(Self.decodeDrive)
        }
    }

    /// One drive, or `nil` when unknown.
    public func drive(id driveID: String) async throws -> ProtectedDrive? {
        try await database.read { db in
            try await db.raw("SELECT \(unsafeRaw: Self.driveColumns) FROM drives WHERE drive_id = \(bind: driveID)")
                .first().map(Self.decodeDrive)
        }
    }

    /// The delta link stored for the drive by the job's last committed restore point, or `nil` (do a full enumeration).
    public func deltaLink(jobID: UUID, driveID: String) async throws -> String? {
        try await database.read { db in
            try await db.raw("""
                SELECT link FROM delta_links WHERE job_id = \(bind: jobID.catalogText) AND drive_id = \(bind: driveID)
                """).first(decodingColumn: "link", as: String.self)
        }
    }

    static let driveColumns =
        "drive_id, organization_id, kind, name, web_url, owner_upn, owner_display_name, site_id, site_url, site_title"

    static func decodeDrive(_ row: any SQLRow) throws -> ProtectedDrive {
        ProtectedDrive(
            driveID: try row.string("drive_id"),
            organizationID: try row.uuid("organization_id", table: "drives"),
            kind: try row.enumValue("kind", table: "drives", as: DriveKind.self),
            name: try row.string("name"),
            webURL: try row.string("web_url"),
            ownerUPN: try row.optionalString("owner_upn"),
            ownerDisplayName: try row.optionalString("owner_display_name"),
            siteID: try row.optionalString("site_id"),
            siteURL: try row.optionalString("site_url"),
            siteTitle: try row.optionalString("site_title")
        )
    }
}
