import Foundation
import ProcessIdentity

/// A catalog that records backups in a repository, as its `catalogs/` object tells it: which installation keeps
/// content here. Clear JSON, like locks, so that it can be read (and a stale one forgotten) without the password.
public struct CatalogRegistration: Codable, Sendable, Hashable {
    /// The catalog's id (`CatalogStore.identity()`), which names its object.
    public var catalogID: UUID
    /// The host the catalog's installation ran on when it registered.
    public var hostname: String
    /// Where the catalog lives, for people (a file path).
    public var location: String
    /// When it registered.
    public var registered: Date

    /// Creates a registration.
    public init(catalogID: UUID, hostname: String, location: String, registered: Date) {
        self.catalogID = catalogID
        self.hostname = hostname
        self.location = location
        self.registered = registered
    }

    /// A registration of catalog `catalogID` at `location` from this host, now (to the second, as it is stored).
    public static func local(catalogID: UUID, location: String) -> CatalogRegistration {
        let now = Date(timeIntervalSince1970: Date().timeIntervalSince1970.rounded(.down))
        return CatalogRegistration(catalogID: catalogID, hostname: LocalProcess.hostname, location: location, registered: now)
    }
}
