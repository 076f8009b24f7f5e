import BackupEngine
import Catalog
import LifeboatModel
import LifeboatTestSupport
import M365Simulator
import Testing

/// Enumerating drives from scratch (asked for, or forced by an expired delta token) finds deletions by their absence
/// and downloads only what changed.
@Suite("Full re-enumeration")
struct FullEnumerationTests {
    /// Why the second backup enumerates every drive from scratch.
    enum Cause: String, CustomTestStringConvertible, CaseIterable {
        /// The run is started with `fullEnumeration: true`.
        case requested
        /// Graph answers the stored delta links with 410 `resyncRequired`.
        case expiredDeltaTokens

        var testDescription: String { rawValue }
    }

    @Test("a full re-enumeration reconciles deletions and downloads only new and edited files", arguments: Cause.allCases)
    func reconcilesDeletions(cause: Cause) async throws {
        try await BackupFixture.with(IncrementalBackupTests.spec) { fixture in
            let tenant = fixture.simulator.tenant
            let before = await TenantSnapshot.capture(tenant)
            _ = try await fixture.backUp()
            let oneDrive = try #require(await tenant.drives().first { $0.kind == .business })
            let edits = try await DriveEdits.apply(to: tenant, driveID: oneDrive.id)
            let after = await TenantSnapshot.capture(tenant)
            if cause == .expiredDeltaTokens {
                for drive in await tenant.drives() { await tenant.expireDeltaTokens(driveID: drive.id) }
            }

            await fixture.simulator.requestLog.reset()
            let second = try await fixture.backUp(fullEnumeration: cause == .requested)
            let log = await fixture.simulator.requestLog.entries()
            #expect(second.state == .succeeded)
            #expect(second.externalID.hasPrefix("IB"), "it stores only what changed since the first point: incremental, not full")
            let downloaded = log.currentContentDownloads
            #expect(downloaded.sorted() == edits.filesToDownload.sorted())
            let resyncs = log.filter { $0.status == 410 }.count
            #expect(resyncs == (cause == .expiredDeltaTokens ? after.drives.count : 0))

            let afterFiles = after.drives.values.flatMap(\.values).filter { !$0.item.isFolder }.count
            #expect(second.counters.filesAdded == 2)
            #expect(second.counters.filesChanged == 1)
            #expect(second.counters.itemsRenamedOrMoved == 2)
            #expect(second.counters.itemsDeleted == edits.deletedItems.count)
            #expect(second.counters.filesUnchanged == afterFiles - 3 - 2)
            #expect(second.counters.foldersProcessed == 1)

            let points = try await fixture.catalog.restorePoints(RestorePointFilter(jobID: fixture.job.id))
                .sorted { $0.sequence < $1.sequence }
            try #require(points.count == 2)
            let p2 = RestorePointCheck(fixture: fixture, point: points[1])
            try await RestorePointCheck(fixture: fixture, point: points[0]).expectMatches(before)
            try await p2.expectMatches(after)
            try await p2.expectShowsDeleted(edits.deletedItems, driveID: oneDrive.id, lastSeenIn: before, liveIn: after)

            // The links stored by the re-enumeration work: the next run is incremental again and finds nothing.
            await fixture.simulator.requestLog.reset()
            let third = try await fixture.backUp()
            let thirdLog = await fixture.simulator.requestLog.entries()
            #expect(third.state == .succeeded)
            #expect(!thirdLog.contains { $0.status == 410 })
            #expect(thirdLog.compactMap(\.contentRequest).isEmpty)
            #expect(third.counters.itemsScanned == 0)
        }
    }
}
