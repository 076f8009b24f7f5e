import BackupEngine
import Catalog
import ChunkStore
import Foundation
import LifeboatModel
import LifeboatTestSupport
import M365Simulator
import NIOCore
import Testing

/// Files of hundreds of MiB and drives of many thousands of items, generated lazily by the simulator: the backup
/// streams them into the repository and the restore point holds them byte for byte.
@Suite("Large files and large drives")
struct LargeTenantTests {
    /// A tenant of one OneDrive and one library, with nothing in them but their roots.
    static let emptySpec = TenantSpec(
        seed: 81, userCount: 1, teamSiteCount: 1, communicationSiteCount: 0, subsitesPerSite: 0, foldersPerDrive: 0,
        maxFolderDepth: 1, filesPerDrive: 0, maxFileSize: 0, largeFileCount: 0, maxVersions: 1)

    /// Streams a stored file back from the repository and compares it, buffer by buffer, with the simulator's bytes.
    static func expectStoredBytesMatch(
        _ row: ItemVersion, of item: SimulatedItem, in fixture: BackupFixture, sourceLocation: SourceLocation = #_sourceLocation
    ) async throws {
        let manifest = try ContentManifest(serialized: try #require(row.content, sourceLocation: sourceLocation))
        var offset = 0
        var mismatches = 0
        for try await buffer in try await fixture.repository().read(manifest) {
            let expected = await fixture.simulator.tenant.contentBytes(
                driveID: item.driveID, itemID: item.id, range: offset..<(offset + buffer.readableBytes))
            if expected.map({ $0.elementsEqual(buffer.readableBytesView) }) != true { mismatches += 1 }
            offset += buffer.readableBytes
        }
        #expect(offset == item.size, "bytes of \(item.name)", sourceLocation: sourceLocation)
        #expect(mismatches == 0, "buffers of \(item.name) that differ from the tenant's", sourceLocation: sourceLocation)
    }

    /// Size of the large file: 32 MiB by default (debug builds hash and chunk slowly), `LIFEBOAT_LARGE_FILE_MIB` for a
    /// manual run at scale (300 MiB and more).
    static let largeFileSize = (ProcessInfo.processInfo.environment["LIFEBOAT_LARGE_FILE_MIB"].flatMap(Int.init) ?? 32) << 20

    @Test("a large file generated lazily is backed up streaming, resumed with Range when cut, and stored byte for byte")
    func largeGeneratedFile() async throws {
        var plan = FaultPlan(seed: 84)
        plan.connectionResetShare = 0.9
        try await BackupFixture.with(Self.emptySpec, configure: { $0.faults = plan }) { fixture in
            let tenant = fixture.simulator.tenant
            let drive = try #require(await tenant.drives().first { $0.kind == .business })
            let large = try await tenant.createGeneratedFile(
                driveID: drive.id, parentID: drive.rootItemID, name: "disk-image.vhdx", size: Self.largeFileSize, seed: 83)
            let run = try await fixture.backUp()
            #expect(run.state == .succeeded)
            #expect(run.counters.filesAdded == 1)
            #expect(run.counters.bytesDownloaded >= Int64(large.size))

            let point = try #require(try await fixture.catalog.restorePoints(RestorePointFilter(jobID: fixture.job.id)).first)
            let rows = try await fixture.catalog.items(
                jobID: fixture.job.id, driveID: drive.id, at: point.sequence, options: PointInTimeOptions())
            let row = try #require(rows.first { $0.itemID == large.id })
            #expect(row.size == Int64(large.size))
            #expect(row.quickXorHash == large.quickXorHash)
            try await Self.expectStoredBytesMatch(row, of: large, in: fixture)

            let log = await fixture.simulator.requestLog.entries()
            let cuts = log.filter { if case .connectionReset(let sent) = $0.fault { sent > 0 } else { false } }
            #expect(!cuts.isEmpty)
            #expect(log.contains { $0.contentRequest?.itemID == large.id && $0.range != nil && $0.status == 206 })
        }
    }

    /// Files in the bulk drive of `bulkDrive`: 2,000 by default, `LIFEBOAT_BULK_FILES` for a manual run at scale.
    static let bulkFileCount = ProcessInfo.processInfo.environment["LIFEBOAT_BULK_FILES"].flatMap(Int.init) ?? 2_000

    @Test("a drive of thousands of lazily generated files is enumerated page by page, backed up whole, and seen unchanged next run")
    func bulkDrive() async throws {
        try await BackupFixture.with(Self.emptySpec) { fixture in
            let tenant = fixture.simulator.tenant
            let drive = try #require(await tenant.drives().first { $0.kind == .documentLibrary })
            let folder = try await tenant.createBulkFolder(
                driveID: drive.id, parentID: drive.rootItemID, name: "Archive", fileCount: Self.bulkFileCount, maxFileSize: 2048,
                seed: 84)
            let first = try await fixture.backUp()
            #expect(first.state == .succeeded)
            #expect(first.counters.filesAdded == Self.bulkFileCount)
            #expect(first.counters.foldersProcessed == 1 + 2, "the bulk folder and the two roots")

            let point = try #require(try await fixture.catalog.restorePoints(RestorePointFilter(jobID: fixture.job.id)).first)
            let rows = try await fixture.catalog.items(
                jobID: fixture.job.id, driveID: drive.id, at: point.sequence, options: PointInTimeOptions())
            let files = rows.filter { !$0.isFolder }
            #expect(files.count == Self.bulkFileCount)
            #expect(files.allSatisfy { $0.parentID == folder.id })
            for row in files.sorted(by: { $0.name < $1.name }).enumerated().filter({ $0.offset % 97 == 0 }).map(\.element) {
                let item = try #require(await tenant.item(driveID: drive.id, itemID: row.itemID))
                #expect(row.quickXorHash == item.quickXorHash && row.size == Int64(item.size) && row.name == item.name)
                try await Self.expectStoredBytesMatch(row, of: item, in: fixture)
            }

            await fixture.simulator.requestLog.reset()
            let second = try await fixture.backUp(fullEnumeration: true)
            #expect(second.state == .succeeded)
            #expect(second.counters.filesUnchanged == Self.bulkFileCount)
            #expect(await fixture.simulator.requestLog.entries().compactMap(\.contentRequest).isEmpty)
        }
    }
}
