import BackupEngine
import Catalog
import Foundation
import LifeboatModel
import LifeboatTestSupport
import Logging
import M365Simulator
import Testing

/// One file that cannot be downloaded correctly never fails the run nor gets recorded as backed up, and is retried.
@Suite("Item failures")
struct ItemFailureTests {
    static let spec = TenantSpec(
        seed: 45, userCount: 1, teamSiteCount: 1, communicationSiteCount: 0, subsitesPerSite: 0, foldersPerDrive: 3,
        maxFolderDepth: 2, filesPerDrive: 10, maxFileSize: 128 << 10, largeFileCount: 0, maxVersions: 3)

    /// A runner for the fixture's job whose Graph client spoils the downloads of `faults`' items.
    static func runner(_ fixture: BackupFixture, faults: [String: FaultInjectingGraph.Fault]) -> BackupRunner {
        var logger = Logger(label: "lifeboat.test.faults")
        logger.logLevel = .critical
        let connector = CatalogGraphConnector(catalog: fixture.catalog, httpClient: fixture.httpClient, logger: logger)
        return BackupRunner(
            catalog: fixture.catalog, repositories: fixture.repositories,
            connector: FaultInjectingConnector(base: connector, faults: faults), logger: logger)
    }

    @Test("a file whose download breaks is counted and reported, the rest is backed up, and the next run retries it")
    func interruptedDownloadIsRetried() async throws {
        try await BackupFixture.with(Self.spec) { fixture in
            let tenant = fixture.simulator.tenant
            let before = await TenantSnapshot.capture(tenant)
            _ = try await fixture.backUp()
            let drive = try #require(await tenant.drives().first { $0.kind == .business })
            let linkAfterFirst = try #require(try await fixture.catalog.deltaLink(jobID: fixture.job.id, driveID: drive.id))
            let files = before.items(driveID: drive.id).values.map(\.item).filter { !$0.isFolder }.sorted { $0.id < $1.id }
            let broken = try #require(files.first { $0.size > 0 })
            let healthy = try #require(files.last { $0.size > 0 && $0.id != broken.id })
            try await tenant.updateContent(driveID: drive.id, itemID: broken.id, bytes: Array("broken, version 2".utf8))
            try await tenant.updateContent(driveID: drive.id, itemID: healthy.id, bytes: Array("healthy, version 2".utf8))
            try await tenant.createFile(
                driveID: drive.id, parentID: drive.rootItemID, name: "added.txt", bytes: Array("added".utf8))
            let after = await TenantSnapshot.capture(tenant)

            let second = try await Self.runner(fixture, faults: [broken.id: .interruptDownload]).runNow(jobID: fixture.job.id)
            #expect(second.state == .warning)
            #expect(second.counters.itemsFailed == 1)
            #expect(second.counters.filesChanged == 1)
            #expect(second.counters.filesAdded == 1)
            let errors = try await fixture.catalog.runErrors(runID: second.id)
            #expect(errors.count == 1)
            #expect(errors.first?.itemPath?.hasSuffix(broken.name) == true)
            #expect(errors.first?.message.contains("interrupted") == true)
            #expect(try await fixture.catalog.job(id: fixture.job.id)?.lastStatus == .warning)
            #expect(try await fixture.catalog.deltaLink(jobID: fixture.job.id, driveID: drive.id) == linkAfterFirst)

            // The failed file still shows its previous state; the others their new one.
            let points = try await fixture.catalog.restorePoints(RestorePointFilter(jobID: fixture.job.id))
                .sorted { $0.sequence < $1.sequence }
            var expectedAtSecond = after
            expectedAtSecond.drives[drive.id]?[broken.id] = before.items(driveID: drive.id)[broken.id]
            try await RestorePointCheck(fixture: fixture, point: points[1]).expectMatches(expectedAtSecond)

            await fixture.simulator.requestLog.reset()
            let third = try await fixture.backUp()
            #expect(third.state == .succeeded)
            let downloaded = await fixture.simulator.requestLog.entries().currentContentDownloads
            #expect(downloaded == [broken.id])
            #expect(third.counters.filesChanged == 1)
            #expect(third.counters.filesUnchanged == 2, "the healthy and the added file are seen again, not downloaded")
            #expect(third.counters.filesAdded == 0)
            #expect(try await fixture.catalog.deltaLink(jobID: fixture.job.id, driveID: drive.id) != linkAfterFirst)
            let latest = try #require(try await fixture.catalog.restorePoints(RestorePointFilter(jobID: fixture.job.id)).first)
            try await RestorePointCheck(fixture: fixture, point: latest).expectMatches(after)
            try await RestorePointCheck(fixture: fixture, point: latest).expectVersionHistory(after)
        }
    }

    @Test("a download that does not match Graph's quickXorHash is detected and the file is not recorded as backed up")
    func hashMismatchIsDetected() async throws {
        try await BackupFixture.with(Self.spec) { fixture in
            let tenant = fixture.simulator.tenant
            let snapshot = await TenantSnapshot.capture(tenant)
            let drive = try #require(await tenant.drives().first { $0.kind == .business })
            let corrupted = try #require(
                snapshot.items(driveID: drive.id).values.map(\.item).filter { !$0.isFolder && $0.size > 0 }.min { $0.id < $1.id })

            let first = try await Self.runner(fixture, faults: [corrupted.id: .corruptFirstByte]).runNow(jobID: fixture.job.id)
            #expect(first.state == .warning)
            #expect(first.counters.itemsFailed == 1)
            let errors = try await fixture.catalog.runErrors(runID: first.id)
            #expect(errors.count == 1)
            #expect(errors.first?.message.contains("quickXorHash") == true)
            #expect(errors.first?.itemPath?.hasSuffix(corrupted.name) == true)
            #expect(try await fixture.catalog.deltaLink(jobID: fixture.job.id, driveID: drive.id) == nil)

            let point = try #require(try await fixture.catalog.restorePoints(RestorePointFilter(jobID: fixture.job.id)).first)
            #expect(try await fixture.catalog.history(jobID: point.jobID, driveID: drive.id, itemID: corrupted.id, upTo: point.sequence).isEmpty)
            var withoutCorrupted = snapshot
            withoutCorrupted.drives[drive.id]?[corrupted.id] = nil
            try await RestorePointCheck(fixture: fixture, point: point).expectMatches(withoutCorrupted)

            let second = try await fixture.backUp()
            #expect(second.state == .succeeded)
            #expect(second.counters.filesAdded == 1)
            let latest = try #require(try await fixture.catalog.restorePoints(RestorePointFilter(jobID: fixture.job.id)).first)
            try await RestorePointCheck(fixture: fixture, point: latest).expectMatches(snapshot)
            try await RestorePointCheck(fixture: fixture, point: latest).expectVersionHistory(snapshot)
        }
    }

    @Test("an earlier version whose download does not match the size Graph lists fails the file, which is not recorded")
    func versionSizeMismatchIsDetected() async throws {
        try await BackupFixture.with(Self.spec) { fixture in
            let tenant = fixture.simulator.tenant
            let snapshot = await TenantSnapshot.capture(tenant)
            let drive = try #require(await tenant.drives().first { $0.kind == .business })
            let shortened = try #require(
                snapshot.items(driveID: drive.id).values
                    .filter { !$0.item.isFolder && $0.versions.dropLast().contains { !$0.bytes.isEmpty } }
                    .min { $0.item.id < $1.item.id })

            let first = try await Self.runner(fixture, faults: [shortened.item.id: .truncateEarlierVersions])
                .runNow(jobID: fixture.job.id)
            #expect(first.state == .warning)
            #expect(first.counters.itemsFailed == 1)
            let errors = try await fixture.catalog.runErrors(runID: first.id)
            #expect(errors.count == 1)
            #expect(errors.first?.message.contains("of version") == true)
            #expect(errors.first?.itemPath?.hasSuffix(shortened.item.name) == true)

            let point = try #require(try await fixture.catalog.restorePoints(RestorePointFilter(jobID: fixture.job.id)).first)
            #expect(try await fixture.catalog.history(
                jobID: point.jobID, driveID: drive.id, itemID: shortened.item.id, upTo: point.sequence).isEmpty)
            var withoutShortened = snapshot
            withoutShortened.drives[drive.id]?[shortened.item.id] = nil
            try await RestorePointCheck(fixture: fixture, point: point).expectMatches(withoutShortened)

            let second = try await fixture.backUp()
            #expect(second.state == .succeeded)
            #expect(second.counters.filesAdded == 1)
            let latest = try #require(try await fixture.catalog.restorePoints(RestorePointFilter(jobID: fixture.job.id)).first)
            try await RestorePointCheck(fixture: fixture, point: latest).expectVersionHistory(snapshot)
        }
    }

    @Test("a file deleted between its delta page and its download is recorded as deleted, not as a failure")
    func fileDeletedDuringTheRunIsNoFailure() async throws {
        try await BackupFixture.with(Self.spec) { fixture in
            let tenant = fixture.simulator.tenant
            let before = await TenantSnapshot.capture(tenant)
            _ = try await fixture.backUp()
            let drive = try #require(await tenant.drives().first { $0.kind == .business })
            let edited = try #require(
                before.items(driveID: drive.id).values.map(\.item).filter { !$0.isFolder }.min { $0.id < $1.id })
            try await tenant.updateContent(driveID: drive.id, itemID: edited.id, bytes: Array("edited, then deleted".utf8))
            let created = try await tenant.createFile(
                driveID: drive.id, parentID: drive.rootItemID, name: "short-lived.txt", bytes: Array("gone soon".utf8))

            let second = try await Self.runner(
                fixture, faults: [edited.id: .deletedBeforeDownload(tenant), created.id: .deletedBeforeDownload(tenant)]
            ).runNow(jobID: fixture.job.id)
            #expect(second.state == .succeeded)
            #expect(try await fixture.catalog.runErrors(runID: second.id).isEmpty)
            #expect(second.counters.itemsFailed == 0)
            #expect(second.counters.itemsDeleted == 1)
            #expect(second.counters.filesChanged == 0)
            #expect(second.counters.filesAdded == 0)

            let after = await TenantSnapshot.capture(tenant)
            let points = try await fixture.catalog.restorePoints(RestorePointFilter(jobID: fixture.job.id))
                .sorted { $0.sequence < $1.sequence }
            let p2 = RestorePointCheck(fixture: fixture, point: points[1])
            try await p2.expectMatches(after)
            try await p2.expectShowsDeleted([edited.id], driveID: drive.id, lastSeenIn: before, liveIn: after)

            let third = try await fixture.backUp()
            #expect(third.state == .succeeded)
            #expect(third.counters.itemsDeleted == 0)
            #expect(third.counters.itemsFailed == 0)
        }
    }
}
