import Foundation
import NIOCore
import NIOFoundationCompat

/// The `catalogs/` objects of a repository store: every catalog that records backups in the repository registers
/// there, so that a prune, which keeps only what its own catalog references, can refuse while another catalog keeps
/// content in the same repository (two installations sharing a store would otherwise delete each other's backups).
///
/// Registration is write-once per catalog and needs no password.
public struct RepositoryCatalogs: Sendable {
    static let prefix = "catalogs/"

    let store: any ObjectStore

    /// Works on the registrations of the repository in `store`.
    public init(store: any ObjectStore) {
        self.store = store
    }

    /// Registers `registration`'s catalog unless it already is (the first registration stays).
    public func register(_ registration: CatalogRegistration) async throws {
        let key = Self.key(registration.catalogID)
        guard try await store.head(key: key) == nil else { return }
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.sortedKeys]
        do {
            try await store.put(key: key, data: ByteBuffer(data: try encoder.encode(registration)))
        } catch ChunkStoreError.objectConflict {
            // Registered meanwhile by another writer of the same catalog.
        }
    }

    /// Every registered catalog, in key order. Throws `ChunkStoreError.corruptMetadata` for an object that is not a
    /// registration: an unreadable one might be another installation's.
    public func list() async throws -> [CatalogRegistration] {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        var registrations: [CatalogRegistration] = []
        for object in try await store.list(prefix: Self.prefix) {
            let data: ByteBuffer
            do {
                data = try await store.get(key: object.key, range: nil)
            } catch ChunkStoreError.objectNotFound {
                continue  // forgotten meanwhile
            }
            guard let registration = try? decoder.decode(CatalogRegistration.self, from: Data(buffer: data)),
                object.key == Self.key(registration.catalogID)
            else { throw ChunkStoreError.corruptMetadata(key: object.key, reason: "not a catalog registration") }
            registrations.append(registration)
        }
        return registrations
    }

    /// Removes catalog `catalogID`'s registration (its installation is gone for good); a missing one is no error.
    public func forget(_ catalogID: UUID) async throws {
        try await store.delete(key: Self.key(catalogID))
    }

    static func key(_ catalogID: UUID) -> String { prefix + catalogID.uuidString.lowercased() }
}

extension Repository {
    /// The catalogs registered in this repository's store (see `RepositoryCatalogs`).
    public nonisolated func catalogs() -> RepositoryCatalogs {
        RepositoryCatalogs(store: store)
    }
}
