import BackupEngine
import Catalog
import ChunkStore
import Foundation
import LifeboatModel
import LifeboatTestSupport
import Testing

/// Which repository a name, id or location means, and how repositories come to exist: never as a typo's side effect.
@Suite("Repository records: references, registration, creation")
struct RepositoryRecordsTests {
    static let password = "records test password"

    /// A temporary catalog, a working folder and the records service over them, for `body`.
    static func with(_ body: (RepositoryRecords, SQLCatalog, URL) async throws -> Void) async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("lifeboat-records-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        try await TemporaryCatalog.with { catalog in
            let records = RepositoryRecords(
                catalog: catalog, stores: RepositoryStores(), defaultLocation: folder.appendingPathComponent("repository").path)
            try await body(records, catalog, folder)
        }
    }

    static func create(_ records: RepositoryRecords, at location: String, name: String? = nil) async throws -> BackupRepository {
        try await records.create(
            at: location, name: name, password: password, catalog: .local(catalogID: UUID(), location: "/test/catalog.sqlite"),
            logger: .quiet("test")
        ).record
    }

    @Test("with nothing named and nothing registered the refusal says to create one; a bare word that names no repository is refused and creates nothing")
    func unknownReferences() async throws {
        try await Self.with { records, _, folder in
            await #expect(throws: RepositoryRecordError.noneYet) { _ = try await records.resolve(nil) }
            await #expect(throws: RepositoryRecordError.unknownName("vault", registered: [])) { _ = try await records.resolve("vault") }
            let path = folder.appendingPathComponent("vault").path
            await #expect(throws: RepositoryRecordError.noRepository(at: path, registered: [])) { _ = try await records.resolve(path) }
            #expect(!FileManager.default.fileExists(atPath: path))
        }
    }

    @Test("a registered repository's name, id or written location resolves to its record; with one repository nothing needs naming; with two, one must be chosen")
    func knownReferences() async throws {
        try await Self.with { records, _, folder in
            let vaultPath = folder.appendingPathComponent("vault-folder").path
            let vault = try await Self.create(records, at: vaultPath, name: "vault")
            for reference in ["vault", vault.id.uuidString, vault.id.uuidString.lowercased(), vaultPath, vaultPath + "/."] {
                let resolved = try await records.resolve(reference)
                #expect(resolved.record.id == vault.id && resolved.isRegistered, "\(reference)")
            }
            #expect(try await records.resolve(nil).record.id == vault.id)
            let other = try await Self.create(records, at: folder.appendingPathComponent("other").path)
            #expect(other.name == "other")
            await #expect(
                performing: { _ = try await records.resolve(nil) },
                throws: { error in
                    guard case RepositoryRecordError.chooseOne(let listed) = error else { return false }
                    return Set(listed.map(\.id)) == [vault.id, other.id]
                })
        }
    }

    @Test("a repository the catalog does not know, named by its folder, is registered once; a folder holding none is refused")
    func registration() async throws {
        try await Self.with { records, catalog, folder in
            let path = folder.appendingPathComponent("made-elsewhere").path
            _ = try await Repository.initialize(store: try LocalDirectoryStore(path: path), password: Self.password)
            let resolved = try await records.resolve(path)
            #expect(!resolved.isRegistered && resolved.record.location == path)
            let record = try await records.register(resolved)
            #expect(try await records.register(resolved) == record)
            #expect(try await catalog.repositories().map(\.id) == [record.id])
            let again = try await records.resolve(path)
            #expect(again.record.id == record.id && again.isRegistered)

            let empty = folder.appendingPathComponent("empty").path
            try FileManager.default.createDirectory(atPath: empty, withIntermediateDirectories: true)
            await #expect(
                performing: {
                    _ = try await records.register(.init(record: BackupRepository(name: "empty", location: empty), isRegistered: false))
                },
                throws: { error in
                    guard case RepositoryRecordError.noRepository(let location, _) = error else { return false }
                    return location == empty
                })
        }
    }

    @Test("create makes an owner-only folder and registers it; it refuses a taken name, a folder that holds a repository or other files")
    func creation() async throws {
        try await Self.with { records, catalog, folder in
            let path = folder.appendingPathComponent("vault").path
            let vault = try await Self.create(records, at: path, name: "vault")
            let mode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
            #expect(mode.map { $0 & 0o077 } == 0)
            #expect(FileManager.default.fileExists(atPath: path + "/config"))
            await #expect(throws: RepositoryRecordError.alreadyExists(at: path)) { _ = try await Self.create(records, at: path) }
            let elsewhere = folder.appendingPathComponent("elsewhere").path
            await #expect(throws: RepositoryRecordError.nameTaken(name: "vault", location: path)) {
                _ = try await Self.create(records, at: elsewhere, name: "vault")
            }
            let cluttered = folder.appendingPathComponent("cluttered")
            try FileManager.default.createDirectory(at: cluttered, withIntermediateDirectories: true)
            try Data("x".utf8).write(to: cluttered.appendingPathComponent("notes.txt"))
            await #expect(throws: RepositoryRecordError.folderNotEmpty(cluttered.path)) { _ = try await Self.create(records, at: cluttered.path) }
            #expect(try await catalog.repositories().map(\.id) == [vault.id])
        }
    }
}
