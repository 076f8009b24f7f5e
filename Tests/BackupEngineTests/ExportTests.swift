import BackupEngine
import Catalog
import ChunkStore
import Foundation
import LifeboatModel
import LifeboatTestSupport
import M365Simulator
import NIOCore
import Testing

/// Exports as zip archives, read back by Python's `zipfile` and compared with the tenant as it was backed up.
@Suite("Export as a zip", .enabled(if: ZipInspection.isAvailable, "python3 is needed to read the archives"))
struct ExportTests {
    @Test("a whole OneDrive exported at a restore point holds every file of that point byte for byte, and the job counts them")
    func wholeDrive() async throws {
        try await BackupFixture.with(RestoreTests.spec) { fixture in
            let tenant = fixture.simulator.tenant
            let drive = try #require(await tenant.drives().first { $0.kind == .business })
            let backedUp = await LiveTree.capture(tenant, driveID: drive.id)
            _ = try await fixture.backUp()
            let point = try #require(try await fixture.catalog.restorePoints(RestorePointFilter(jobID: fixture.job.id)).first)
            _ = try await DriveEdits.apply(to: tenant, driveID: drive.id)
            _ = try await fixture.backUp()

            let archive = try await fixture.restoreRunner.export(
                RestoreRequest(
                    organizationID: fixture.organization.id,
                    selections: [RestoreSelection(jobID: fixture.job.id, restorePointSequence: point.sequence, driveID: drive.id, itemIDs: nil)]))
            #expect(try await fixture.catalog.run(id: archive.run.id)?.state == .queued)
            let file = fixture.directory.appendingPathComponent("export.zip")
            try await write(archive, to: file)

            let members = try await ZipInspection.members(ofArchiveAt: file)
            let prefix = try #require(members.first?.name.split(separator: "/").first.map(String.init))
            #expect(prefix.hasSuffix("'s OneDrive"))
            let files = Dictionary(
                members.filter { !$0.name.hasSuffix("/") }.map { (String($0.name.dropFirst(prefix.count + 1)), $0) },
                uniquingKeysWith: { first, _ in first })
            #expect(Set(files.keys) == Set(backedUp.files.keys))
            for (path, expected) in backedUp.files {
                let matches = files[path]?.sha256 == ZipInspection.sha256(expected.bytes)
                #expect(matches, "\(path) exported byte for byte")
            }
            let emptyFolders = backedUp.folders.filter { folder in !backedUp.files.keys.contains { $0.hasPrefix(folder + "/") } && !backedUp.folders.contains { $0.hasPrefix(folder + "/") } }
            #expect(Set(members.filter { $0.name.hasSuffix("/") }.map { String($0.name.dropFirst(prefix.count + 1).dropLast()) }) == emptyFolders)

            let run = try #require(try await fixture.catalog.run(id: archive.run.id))
            #expect(run.kind == .export && run.state == .succeeded)
            #expect(run.externalID.hasPrefix("EX"))
            #expect(run.counters.itemsRestored == backedUp.files.count + emptyFolders.count)
            #expect(run.counters.bytesExported == backedUp.files.values.reduce(Int64(0)) { $0 + Int64($1.bytes.count) })
        }
    }

    @Test("selected items export with their paths; a damaged chunk fails the archive and the job instead of serving bad bytes")
    func selectionAndCorruption() async throws {
        try await BackupFixture.with(RestoreTests.spec) { fixture in
            let tenant = fixture.simulator.tenant
            let drive = try #require(await tenant.drives().first { $0.kind == .business })
            let tree = await LiveTree.capture(tenant, driveID: drive.id)
            _ = try await fixture.backUp()
            let point = try #require(try await fixture.catalog.restorePoints(RestorePointFilter(jobID: fixture.job.id)).first)
            let (path, file) = try #require(tree.files.filter { $0.key.contains("/") && $0.value.bytes.count > 4096 }.sorted { $0.key < $1.key }.first)
            let selection = RestoreSelection(jobID: fixture.job.id, restorePointSequence: point.sequence, driveID: drive.id, itemIDs: [file.id])
            let archive = try await fixture.restoreRunner.export(RestoreRequest(organizationID: fixture.organization.id, selections: [selection]))
            let zip = fixture.directory.appendingPathComponent("one.zip")
            try await write(archive, to: zip)
            let members = try await ZipInspection.members(ofArchiveAt: zip)
            #expect(members.count == 1)
            #expect(members.first?.name.hasSuffix("/" + path) == true, "\(members.map(\.name))")
            #expect(members.first?.sha256 == ZipInspection.sha256(file.bytes))

            // Damaged packs: reading must fail (authenticated encryption), never yield altered bytes.
            #expect(try fixture.damageEveryPack() > 0)
            let reopened = RepositoryRegistry(password: BackupFixture.repositoryPassword, keyDerivation: .insecureFastForTesting)
            let runner = RestoreRunner(
                catalog: fixture.catalog, repositories: reopened,
                connector: CatalogGraphConnector(catalog: fixture.catalog, httpClient: fixture.httpClient, logger: .quiet("test")),
                logger: .quiet("test"))
            let damaged = try await runner.export(RestoreRequest(organizationID: fixture.organization.id, selections: [selection]))
            await #expect(throws: (any Error).self) { try await write(damaged, to: fixture.directory.appendingPathComponent("bad.zip")) }
            let failed = try #require(try await fixture.catalog.run(id: damaged.run.id))
            #expect(failed.state == .failed)
            #expect(try await fixture.catalog.runErrors(runID: failed.id).isEmpty == false)
        }
    }

    @Test("an archive dropped before it is read ends its job, freeing the organization's slot")
    func abandonedArchive() async throws {
        try await BackupFixture.with(RestoreTests.spec) { fixture in
            let request = RestoreRequest(organizationID: fixture.organization.id, selections: [])
            var id: UUID?
            do {
                let archive = try await fixture.restoreRunner.export(request)
                id = archive.run.id
            }
            let runID = try #require(id)
            let deadline = ContinuousClock.now.advanced(by: .seconds(10))
            while try await fixture.catalog.run(id: runID)?.state == .queued, ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(20))
            }
            #expect(try await fixture.catalog.run(id: runID)?.state == .failed)
        }
    }

    private func write(_ archive: ExportArchive, to file: URL) async throws {
        guard FileManager.default.createFile(atPath: file.path, contents: nil) else { throw CocoaError(.fileWriteUnknown) }
        let handle = try FileHandle(forWritingTo: file)
        defer { try? handle.close() }
        for try await buffer in archive { try handle.write(contentsOf: Data(buffer.readableBytesView)) }
    }
}
