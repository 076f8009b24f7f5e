import Foundation
import NIOCore
import Testing

@testable import ChunkStore

@Suite("Catalog registrations in a repository")
struct RepositoryCatalogsTests {
    @Test("a catalog registers once (the first registration stays), lists with the others, and can be forgotten")
    func registerListForget() async throws {
        let store = try TemporaryStore.make()
        let catalogs = RepositoryCatalogs(store: store)
        let first = CatalogRegistration(
            catalogID: UUID(), hostname: "backup-1", location: "/var/lib/lifeboat/catalog.sqlite",
            registered: Date(timeIntervalSince1970: 1_700_000_000))
        let second = CatalogRegistration.local(catalogID: UUID(), location: "/srv/other/catalog.sqlite")
        #expect(try await catalogs.list().isEmpty)
        try await catalogs.register(first)
        try await catalogs.register(second)
        var again = first
        again.registered = Date()
        try await catalogs.register(again)
        let listed = try await catalogs.list()
        #expect(Set(listed) == [first, second], "registering again keeps the first registration")
        #expect(try await store.list(prefix: "catalogs/").count == 2)

        try await catalogs.forget(first.catalogID)
        #expect(try await catalogs.list() == [second])
        try await catalogs.forget(first.catalogID)
    }

    @Test("an object under catalogs/ that is not a registration is an error, never skipped: it may be another installation's")
    func unreadableRegistration() async throws {
        let store = try TemporaryStore.make()
        try await store.put(key: "catalogs/" + UUID().uuidString.lowercased(), data: ByteBuffer(string: "{not json"))
        await #expect(throws: ChunkStoreError.self) { _ = try await RepositoryCatalogs(store: store).list() }
    }
}
