import BackupEngine
import Catalog
import LifeboatModel
import LifeboatTestSupport
import M365Simulator
import Testing

/// Two backups with one edit of each kind in between (content, rename, move, delete of a file, delete of a folder
/// with children, new folder, new files), then a third with no change.
@Suite("Incremental backups")
struct IncrementalBackupTests {
    /// Two OneDrives, a site and its subsite; nested folders, files with several versions and one larger than 4 MiB.
    static let spec = TenantSpec(
        seed: 21, userCount: 2, teamSiteCount: 1, communicationSiteCount: 0, subsitesPerSite: 1, foldersPerDrive: 5,
        maxFolderDepth: 2, filesPerDrive: 12, maxFileSize: 256 << 10, largeFileCount: 1, maxVersions: 3)

    @Test("every restore point shows the tenant as it was, item by item and byte for byte, deletions and versions included")
    func restorePointsShowTheTenantAsItWas() async throws {
        try await BackupFixture.with(Self.spec) { fixture in
            let tenant = fixture.simulator.tenant
            let before = await TenantSnapshot.capture(tenant)
            let first = try await fixture.backUp()
            let oneDrive = try #require(await tenant.drives().first { $0.kind == .business })
            let edits = try await DriveEdits.apply(to: tenant, driveID: oneDrive.id)
            let after = await TenantSnapshot.capture(tenant)
            let second = try await fixture.backUp()
            #expect(first.state == .succeeded)
            #expect(second.state == .succeeded)
            #expect(first.externalID.hasPrefix("FB") && second.externalID.hasPrefix("IB"), "full first, then incremental")

            let points = try await fixture.catalog.restorePoints(RestorePointFilter(jobID: fixture.job.id))
                .sorted { $0.sequence < $1.sequence }
            try #require(points.count == 2)
            let p1 = RestorePointCheck(fixture: fixture, point: points[0])
            let p2 = RestorePointCheck(fixture: fixture, point: points[1])

            try await p1.expectMatches(before)
            try await p2.expectMatches(after)
            try await p1.expectShowsDeleted([], driveID: oneDrive.id, lastSeenIn: before, liveIn: before)
            try await p2.expectShowsDeleted(edits.deletedItems, driveID: oneDrive.id, lastSeenIn: before, liveIn: after)
            try await p1.expectVersionHistory(before)
            try await p2.expectVersionHistory(after)
        }
    }

    @Test("run counters count exactly what changed")
    func countersAreExact() async throws {
        try await BackupFixture.with(Self.spec) { fixture in
            let tenant = fixture.simulator.tenant
            let before = await TenantSnapshot.capture(tenant)
            let first = try await fixture.backUp()
            let oneDrive = try #require(await tenant.drives().first { $0.kind == .business })
            let edits = try await DriveEdits.apply(to: tenant, driveID: oneDrive.id)
            let second = try await fixture.backUp()
            let third = try await fixture.backUp()

            let items = before.drives.values.flatMap(\.values)
            let files = items.filter { !$0.item.isFolder }
            var expectedFirst = RunCounters()
            expectedFirst.drivesProcessed = before.drives.count
            expectedFirst.itemsScanned = items.count
            expectedFirst.filesAdded = files.count
            expectedFirst.foldersProcessed = items.count - files.count
            expectedFirst.versionsStored = files.map { $0.versions.count - 1 }.reduce(0, +)
            expectedFirst.bytesDownloaded = Int64(files.flatMap(\.versions).map(\.bytes.count).reduce(0, +))
            expectedFirst.bytesStored = first.counters.bytesStored
            #expect(first.counters == expectedFirst)
            #expect(first.counters.bytesStored > 0)

            var expectedSecond = RunCounters()
            expectedSecond.drivesProcessed = before.drives.count
            expectedSecond.filesAdded = 2
            expectedSecond.filesChanged = 1
            expectedSecond.itemsRenamedOrMoved = 2
            expectedSecond.itemsDeleted = edits.deletedItems.count
            expectedSecond.foldersProcessed = 1
            // Delta reports the new folder, the three new or edited files, the renamed and moved ones, and each tombstone.
            expectedSecond.itemsScanned = 1 + 3 + 2 + edits.deletedItems.count
            expectedSecond.bytesDownloaded = try await downloadedBytes(edits, tenant: tenant)
            expectedSecond.bytesStored = second.counters.bytesStored
            #expect(second.counters == expectedSecond)
            #expect(edits.deletedDescendants.count >= 1)

            var expectedThird = RunCounters()
            expectedThird.drivesProcessed = before.drives.count
            #expect(third.counters == expectedThird)
            #expect(third.state == .succeeded)
        }
    }

    @Test("an incremental run downloads exactly the new and edited files; a run without changes downloads nothing")
    func incrementalRunsDownloadOnlyWhatChanged() async throws {
        try await BackupFixture.with(Self.spec) { fixture in
            let tenant = fixture.simulator.tenant
            _ = try await fixture.backUp()
            let oneDrive = try #require(await tenant.drives().first { $0.kind == .business })
            let edits = try await DriveEdits.apply(to: tenant, driveID: oneDrive.id)
            let after = await TenantSnapshot.capture(tenant)

            await fixture.simulator.requestLog.reset()
            let second = try await fixture.backUp()
            let secondRequests = await fixture.simulator.requestLog.entries().compactMap(\.contentRequest)
            #expect(!secondRequests.contains { $0.kind == .graphContent }, "the listing's download URL saves the /content call")
            let served = secondRequests.filter { $0.kind == .downloadURL }
            #expect(Set(served.map(\.itemID)) == edits.filesToDownload)
            #expect(served.count == edits.filesToDownload.count, "each file is downloaded once")
            #expect(served.allSatisfy { $0.driveID == oneDrive.id && $0.versionID == nil })
            #expect(second.counters.bytesDownloaded == Int64(edits.filesToDownload.map {
                after.items(driveID: oneDrive.id)[$0]?.bytes.count ?? 0
            }.reduce(0, +)))

            await fixture.simulator.requestLog.reset()
            let third = try await fixture.backUp()
            let thirdLog = await fixture.simulator.requestLog.entries()
            #expect(thirdLog.compactMap(\.contentRequest).isEmpty)
            #expect(!thirdLog.contains { $0.path.hasSuffix("/versions") }, "no version history is listed for unchanged files")
            #expect(third.counters.bytesDownloaded == 0)
            let points = try await fixture.catalog.restorePoints(RestorePointFilter(jobID: fixture.job.id))
            let latest = try #require(points.max { $0.sequence < $1.sequence })
            try await RestorePointCheck(fixture: fixture, point: latest).expectMatches(after)
        }
    }

    private func downloadedBytes(_ edits: DriveEdits, tenant: SimulatedTenant) async throws -> Int64 {
        var total: Int64 = 0
        for id in edits.filesToDownload {
            total += Int64(try #require(await tenant.content(driveID: edits.driveID, itemID: id)).count)
        }
        return total
    }
}
