import BackupEngine
import Catalog
import ChunkStore
import Foundation
import LifeboatModel
import LifeboatTestSupport
import M365Simulator
import NIOCore
import Testing

/// Locks around backups, prune driven by the catalog, and the catalog-against-index check.
@Suite("Repository maintenance: locks, prune through the catalog, references check")
struct RepositoryMaintenanceTests {
    static let password = "maintenance password"

    static func randomBuffer(_ count: Int, seed: UInt8) -> ByteBuffer {
        var generator = SystemRandomNumberGenerator()
        var buffer = ByteBufferAllocator().buffer(capacity: count)
        buffer.writeBytes((0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) ^ seed })
        return buffer
    }

    static func temporaryRecord() -> BackupRepository {
        BackupRepository(
            name: "maintenance",
            location: FileManager.default.temporaryDirectory.appendingPathComponent("lifeboat-maintenance-\(UUID().uuidString)").path)
    }

    @Test("a backup holds a shared lock only while it runs; while a prune holds the repository it fails naming the prune")
    func backupRespectsPruneLock() async throws {
        try await BackupFixture.with { fixture in
            let locks = RepositoryLocks(store: try LocalDirectoryStore(path: fixture.repositoryRecord.location))
            #expect(try await fixture.backUp().state == .succeeded)
            #expect(try await locks.list().isEmpty, "the run released its lock")

            let prune = try await locks.acquire(.exclusive, purpose: "prune")
            let blocked = try await fixture.backUp()
            #expect(blocked.state == .failed)
            let errors = try await fixture.catalog.runErrors(runID: blocked.id).map(\.message).joined()
            #expect(errors.contains("locked") && errors.contains("prune"), "\(errors)")
            await prune.release()
            #expect(try await locks.list().isEmpty, "the refused run left no lock")

            #expect(try await fixture.backUp().state == .succeeded)
            #expect(try await locks.list().isEmpty)
        }
    }

    @Test("a backup registers its catalog in the repository, once, so a prune from another installation can see it")
    func backupRegistersItsCatalog() async throws {
        try await BackupFixture.with { fixture in
            let catalogs = RepositoryCatalogs(store: try LocalDirectoryStore(path: fixture.repositoryRecord.location))
            #expect(try await fixture.backUp().state == .succeeded)
            let identity = try await fixture.catalog.identity()
            let registered = try await catalogs.list()
            #expect(registered.map(\.catalogID) == [identity])
            #expect(registered.first?.location == fixture.catalog.location)
            #expect(try await fixture.catalog.identity() == identity, "a catalog keeps its identity")
            #expect(try await fixture.backUp().state == .succeeded)
            #expect(try await catalogs.list() == registered, "the first registration stays")
        }
    }

    @Test("a restore reads under a shared lock: while a prune holds the repository it fails naming the prune, and it leaves no lock")
    func restoreRespectsPruneLock() async throws {
        try await BackupFixture.with { fixture in
            let (locks, request) = try await backUpFirstDrive(fixture)

            let prune = try await locks.acquire(.exclusive, purpose: "prune")
            let blocked = try await fixture.restoreRunner.runNow(request)
            #expect(blocked.state != .succeeded)
            let errors = try await fixture.catalog.runErrors(runID: blocked.id).map(\.message).joined()
            #expect(errors.contains("locked") && errors.contains("prune"), "\(errors)")
            #expect(blocked.counters.itemsRestored == 0)
            await prune.release()

            let restored = try await fixture.restoreRunner.runNow(request)
            #expect(restored.state == .succeeded)
            #expect(try await locks.list().isEmpty, "the restore released its lock")
        }
    }

    @Test("an export streams under a shared lock: no prune starts mid-archive, the lock ends with the archive, and an export meeting a prune fails naming it")
    func exportRespectsPruneLock() async throws {
        try await BackupFixture.with { fixture in
            let (locks, request) = try await backUpFirstDrive(fixture)

            let archive = try await fixture.restoreRunner.export(request)
            var reader = archive.makeAsyncIterator()
            var archiveBytes = try #require(try await reader.next()).readableBytes
            #expect(try await locks.list().map(\.info?.kind) == [.shared], "the export holds a shared lock while it streams")
            await #expect(throws: ChunkStoreError.self, "a prune cannot take the repository mid-archive") {
                _ = try await locks.acquire(.exclusive, purpose: "prune")
            }
            while let buffer = try await reader.next() { archiveBytes += buffer.readableBytes }
            #expect(archiveBytes > 1024)
            #expect(try await fixture.catalog.run(id: archive.run.id)?.state == .succeeded)
            #expect(try await locks.list().isEmpty, "the export released its lock at the archive's end")

            // An archive its client drops mid-stream gives its lock back too.
            do {
                var abandoned = try await fixture.restoreRunner.export(request).makeAsyncIterator()
                _ = try await abandoned.next()
                #expect(try await locks.list().count == 1)
            }
            let deadline = ContinuousClock.now + .seconds(10)
            while try await !locks.list().isEmpty, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
            #expect(try await locks.list().isEmpty, "a dropped archive released its lock")

            let prune = try await locks.acquire(.exclusive, purpose: "prune")
            let blocked = try await fixture.restoreRunner.export(request)
            await #expect(throws: ChunkStoreError.self) {
                for try await _ in blocked {}
            }
            #expect(try await fixture.catalog.run(id: blocked.run.id)?.state == .failed)
            let errors = try await fixture.catalog.runErrors(runID: blocked.run.id).map(\.message).joined()
            #expect(errors.contains("locked") && errors.contains("prune"), "\(errors)")
            await prune.release()
            #expect(try await locks.list().isEmpty, "the blocked export left no lock")
        }
    }

    /// Backs up the fixture's tenant; returns the repository's locks and a request for its first drive at that point.
    private func backUpFirstDrive(_ fixture: BackupFixture) async throws -> (RepositoryLocks, RestoreRequest) {
        let locks = RepositoryLocks(store: try LocalDirectoryStore(path: fixture.repositoryRecord.location))
        #expect(try await fixture.backUp().state == .succeeded)
        let point = try #require(try await fixture.catalog.restorePoints(RestorePointFilter(jobID: fixture.job.id)).first)
        let drive = try #require(await fixture.simulator.tenant.drives().first)
        let request = RestoreRequest(
            organizationID: fixture.organization.id,
            selections: [RestoreSelection(jobID: fixture.job.id, restorePointSequence: point.sequence, driveID: drive.id, itemIDs: nil)])
        return (locks, request)
    }

    @Test("a backup that fails while writing releases its lock")
    func failedBackupReleasesLock() async throws {
        try await BackupFixture.with { fixture in
            let location = fixture.repositoryRecord.location
            _ = try await fixture.repository()
            // An `index` file where the index folder belongs: the run's flush cannot write its index file.
            #expect(FileManager.default.createFile(atPath: location + "/index", contents: Data("in the way".utf8)))
            let run = try await fixture.backUp()
            #expect(run.state == .failed)
            #expect(try await RepositoryLocks(store: try LocalDirectoryStore(path: location)).list().isEmpty)

            try FileManager.default.removeItem(atPath: location + "/index")
            #expect(try await fixture.backUp().state == .succeeded, "the next run works once the folder is fixed")
        }
    }

    @Test("after a prune the registry opens the repository again, so pruned chunks are stored again instead of deduplicated away")
    func registryReopensAfterPrune() async throws {
        let record = Self.temporaryRecord()
        defer { try? FileManager.default.removeItem(atPath: record.location) }
        let registry = RepositoryRegistry(password: Self.password, keyDerivation: .insecureFastForTesting)
        let kept = Self.randomBuffer(300 << 10, seed: 1)
        let dropped = Self.randomBuffer(300 << 10, seed: 2)
        let (keptManifest, droppedManifest) = try await registry.withWriteAccess(to: record, purpose: "test backup") { access in
            let repository = access.repository
            let first = try await repository.store(AsyncSequenceOfOne(kept)).manifest
            let second = try await repository.store(AsyncSequenceOfOne(dropped)).manifest
            try await access.flush()
            return (first, second)
        }
        let before = try await registry.repository(for: record)

        let prune = try await RepositoryPrune.unlock(store: try LocalDirectoryStore(path: record.location), password: Self.password)
        let report = try await prune.run(PruneOptions(smallPackSize: 0)) { Set(keptManifest.chunks) }
        #expect(report.chunksRemoved == droppedManifest.chunks.count)

        let reader = try await registry.repository(for: record)
        #expect(reader !== before, "a reader gets a freshly opened repository")
        var read = ByteBuffer()
        for try await piece in reader.read(keptManifest) { read.writeImmutableBuffer(piece) }
        #expect(read == kept)

        let stored = try await registry.withWriteAccess(to: record, purpose: "test backup") { access in
            let repository = access.repository
            #expect(await !repository.contains(droppedManifest.chunks[0]))
            let stored = try await repository.store(AsyncSequenceOfOne(dropped))
            try await access.flush()
            return stored
        }
        #expect(stored.newBytes == Int64(dropped.readableBytes), "the pruned content was written again")
        let reopened = try await Repository.open(store: try LocalDirectoryStore(path: record.location), password: Self.password)
        read.clear()
        for try await piece in reopened.read(stored.manifest) { read.writeImmutableBuffer(piece) }
        #expect(read == dropped)
    }

    @Test("a writer whose lock was removed while it wrote cannot make its content durable, so it commits nothing")
    func lostLockStopsWriter() async throws {
        let record = Self.temporaryRecord()
        defer { try? FileManager.default.removeItem(atPath: record.location) }
        let registry = RepositoryRegistry(password: Self.password, keyDerivation: .insecureFastForTesting)
        let locks = RepositoryLocks(store: try LocalDirectoryStore(path: record.location))
        var committed = false
        await #expect {
            try await registry.withWriteAccess(to: record, purpose: "test backup") { access in
                _ = try await access.repository.store(AsyncSequenceOfOne(Self.randomBuffer(100 << 10, seed: 4)))
                // Someone judged the lock stale and removed it (`repo unlock`, a prune): a prune may run now.
                #expect(try await locks.removeAll().count == 1)
                try await access.flush()
                committed = true
            }
        } throws: { error in
            guard case ChunkStoreError.lockLost = error else { return false }
            return true
        }
        #expect(!committed)
    }

    @Test("a writer that fails releases the lock and the registry forgets the repository instance it used")
    func failedWriterIsForgotten() async throws {
        struct Failure: Error {}
        let record = Self.temporaryRecord()
        defer { try? FileManager.default.removeItem(atPath: record.location) }
        let registry = RepositoryRegistry(password: Self.password, keyDerivation: .insecureFastForTesting)
        let before = try await registry.repository(for: record)
        await #expect(throws: Failure.self) {
            try await registry.withWriteAccess(to: record, purpose: "test backup") { _ in throw Failure() }
        }
        #expect(try await RepositoryLocks(store: try LocalDirectoryStore(path: record.location)).list().isEmpty)
        #expect(try await registry.repository(for: record) !== before)
    }

    @Test("prune through the catalog deletes content no item version uses; every backed-up file still reads back byte for byte")
    func pruneThroughCatalog() async throws {
        try await BackupFixture.with { fixture in
            let snapshot = await TenantSnapshot.capture(fixture.simulator.tenant)
            #expect(try await fixture.backUp().state == .succeeded)
            let record = fixture.repositoryRecord
            let orphan = Self.randomBuffer(3 << 20, seed: 3)
            let orphanManifest = try await fixture.repositories.withWriteAccess(to: record, purpose: "test") { access in
                let repository = access.repository
                let stored = try await repository.store(AsyncSequenceOfOne(orphan)).manifest
                try await access.flush()
                return stored
            }

            let referenced = try await CatalogReferences.chunks(in: fixture.catalog, repositoryID: record.id)
            #expect(!referenced.isEmpty && referenced.isDisjoint(with: orphanManifest.chunks))
            let store = try LocalDirectoryStore(path: record.location)
            let prune = try await RepositoryPrune.unlock(store: store, password: BackupFixture.repositoryPassword)
            let report = try await prune.run(PruneOptions()) {
                try await CatalogReferences.chunks(in: fixture.catalog, repositoryID: record.id)
            }
            #expect(report.chunksRemoved == orphanManifest.chunks.count)
            #expect(report.bytesFreed >= Int64(orphan.readableBytes) / 2)

            let point = try #require(try await fixture.catalog.restorePoints(RestorePointFilter(jobID: fixture.job.id)).first)
            try await RestorePointCheck(fixture: fixture, point: point).expectMatches(snapshot)
            let check = try await RepositoryCheck.unlock(store: store, password: BackupFixture.repositoryPassword)
                .run(readData: true, referencedChunks: referenced)
            #expect(check.isHealthy, "\(check.problems)")
            #expect(check.unreferencedPacks.isEmpty)
            #expect(try await fixture.backUp().state == .succeeded, "backups go on after the prune")
        }
    }

    @Test("a prune keeps what every record references, even one whose path no longer resolves to the store; another repository's chunks do not make it refuse")
    func pruneReferencesOneStore() async throws {
        try await BackupFixture.with { fixture in
            let record = fixture.repositoryRecord
            #expect(try await fixture.backUp().state == .succeeded)
            // Another repository in another folder, with its own job of the same tenant.
            let other = BackupRepository(name: "other", location: fixture.directory.appendingPathComponent("other").path)
            try await fixture.catalog.insertRepository(other)
            let otherJob = BackupJob(organizationID: fixture.organization.id, repositoryID: other.id, name: "Into other", scope: .entireOrganization)
            try await fixture.catalog.insertJob(otherJob)
            #expect(try await fixture.runner.runNow(jobID: otherJob.id).state == .succeeded)
            // A second record naming the fixture's store through a symbolic link; a file changes first, so its rows use a
            // chunk the first record's rows do not.
            let link = fixture.directory.appendingPathComponent("link-to-repository").path
            try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: record.location)
            let alias = BackupRepository(name: "alias", location: link)
            try await fixture.catalog.insertRepository(alias)
            let aliasJob = BackupJob(organizationID: fixture.organization.id, repositoryID: alias.id, name: "Through the link", scope: .entireOrganization)
            try await fixture.catalog.insertJob(aliasJob)
            let drive = try #require(await fixture.simulator.tenant.drives().first)
            let file = try #require(await fixture.simulator.tenant.allFiles(driveID: drive.id).first)
            try await fixture.simulator.tenant.updateContent(
                driveID: drive.id, itemID: file.id, bytes: Array(Self.randomBuffer(64 << 10, seed: 9).readableBytesView))
            #expect(try await fixture.runner.runNow(jobID: aliasJob.id).state == .succeeded)

            let own = try await CatalogReferences.chunks(in: fixture.catalog, repositoryID: record.id)
            let throughLink = try await CatalogReferences.chunks(in: fixture.catalog, repositoryID: alias.id)
            let elsewhere = try await CatalogReferences.chunks(in: fixture.catalog, repositoryID: other.id)
            #expect(!throughLink.isSubset(of: own), "the changed file's chunk is referenced only through the link")
            let references = try await CatalogReferences.pruneReferences(in: fixture.catalog, of: record)
            #expect(references.stored == own.union(throughLink))
            #expect(references.kept == own.union(throughLink).union(elsewhere), "every record's references are kept")
            #expect(elsewhere.isDisjoint(with: references.stored), "chunk ids are keyed per repository: the other repository's are not here")

            let store = try LocalDirectoryStore(path: record.location)
            let prune = try await RepositoryPrune.unlock(store: store, password: BackupFixture.repositoryPassword)
            await #expect(throws: ChunkStoreError.self, "requiring the other repository's chunks here refuses the prune") {
                _ = try await prune.run(PruneOptions(dryRun: true)) { references.kept }
            }
            // The link is gone at prune time (an unmounted path): nothing tells its record names this store any more.
            try FileManager.default.removeItem(atPath: link)
            let report = try await prune.run(PruneOptions()) {
                try await CatalogReferences.pruneReferences(in: fixture.catalog, of: record)
            }
            #expect(report.chunksRemoved == 0, "everything in the store is used by one of its two records")
            let check = try await RepositoryCheck.unlock(store: store, password: BackupFixture.repositoryPassword)
                .run(readData: true, referencedChunks: own.union(throughLink))
            #expect(check.isHealthy, "\(check.problems)")
        }
    }

    @Test("check reports chunks the catalog references but the index lacks, and they lead to the items that use them")
    func checkFindsUnindexedReferences() async throws {
        try await BackupFixture.with { fixture in
            let run = try await fixture.backUp()
            let record = fixture.repositoryRecord
            let store = try LocalDirectoryStore(path: record.location)
            let referenced = try await CatalogReferences.chunks(in: fixture.catalog, repositoryID: record.id)
            let check = try await RepositoryCheck.unlock(store: store, password: BackupFixture.repositoryPassword)
            #expect(try await check.run(readData: false, referencedChunks: referenced).isHealthy)

            for file in try await store.list(prefix: "index/") { try await store.delete(key: file.key) }
            let report = try await check.run(readData: false, referencedChunks: referenced)
            #expect(!report.isHealthy)
            #expect(report.problems.contains { if case .referencedChunksMissing(let count, _) = $0 { count == referenced.count } else { false } })
            let affected = try await CatalogReferences.items(using: report.damagedChunks, in: fixture.catalog, repositoryID: record.id)
            // Every stored file state and version, except empty files (their manifests have no chunks).
            let rows = try await fixture.catalog.contentRows(repositoryID: record.id, afterRowID: 0, limit: 100_000)
            #expect(rows.count == run.counters.filesAdded + run.counters.versionsStored)
            let withContent = try rows.filter { try !ContentManifest(serialized: $0.content ?? []).chunks.isEmpty }
            #expect(affected.map(\.rowID) == withContent.map(\.rowID))
            #expect(!affected.isEmpty)
        }
    }
}

/// One buffer as an async sequence, for `Repository.store`.
struct AsyncSequenceOfOne: AsyncSequence, Sendable {
    let buffer: ByteBuffer

    init(_ buffer: ByteBuffer) { self.buffer = buffer }

    struct AsyncIterator: AsyncIteratorProtocol {
        var buffer: ByteBuffer?
        mutating func next() async throws -> ByteBuffer? {
            defer { buffer = nil }
            return buffer
        }
    }

    func makeAsyncIterator() -> AsyncIterator { AsyncIterator(buffer: buffer) }
}
