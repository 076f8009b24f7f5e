import BackupEngine
import Catalog
import Foundation
import LifeboatModel
import LifeboatTestSupport
import M365Simulator
import Testing

/// Two jobs that protect the same drive keep separate item versions: each downloads and stores its own content in
/// its own repository, and each job's restore points read back from that repository alone.
@Suite("Overlapping jobs")
struct OverlappingJobsTests {
    static let spec = TenantSpec(
        seed: 51, userCount: 1, teamSiteCount: 0, communicationSiteCount: 0, foldersPerDrive: 1, filesPerDrive: 3,
        maxFileSize: 8 << 10, largeFileCount: 0, maxVersions: 2)

    /// A second job of the fixture's organization protecting only `upn`, into a new repository or the fixture's own.
    static func secondJob(_ fixture: BackupFixture, upn: String, ownRepository: Bool) async throws -> BackupJob {
        var repository = fixture.repositoryRecord
        if ownRepository {
            repository = BackupRepository(
                name: "Second repository", location: fixture.directory.appendingPathComponent("second").path)
            try await fixture.catalog.insertRepository(repository)
        }
        let job = BackupJob(
            organizationID: fixture.organization.id, repositoryID: repository.id, name: "One user",
            scope: BackupScope(users: [upn]))
        try await fixture.catalog.insertJob(job)
        return job
    }

    /// Item ids whose current content the simulator served since its request log was last reset.
    static func downloadedItems(_ fixture: BackupFixture, driveID: String) async -> Set<String> {
        Set(await fixture.simulator.requestLog.entries().filter { $0.contentRequest?.driveID == driveID }.currentContentDownloads)
    }

    @Test(
        "a second job on a drive the first already backed up downloads every file itself and its points read back from its repository",
        arguments: [true, false])
    func secondJobStoresItsOwnCopy(ownRepository: Bool) async throws {
        try await BackupFixture.with(Self.spec) { fixture in
            let tenant = fixture.simulator.tenant
            let user = try #require(await tenant.users().first)
            let snapshot = await TenantSnapshot.capture(tenant)
            let userOnly = TenantSnapshot(drives: snapshot.drives.filter { $0.key == user.driveID })
            let files = await tenant.allFiles(driveID: user.driveID)
            try #require(!files.isEmpty)

            let first = try await fixture.backUp()
            #expect(first.state == .succeeded)
            let second = try await Self.secondJob(fixture, upn: user.upn, ownRepository: ownRepository)
            await fixture.simulator.requestLog.reset()
            let run = try await fixture.runner.runNow(jobID: second.id)
            #expect(run.state == .succeeded)
            #expect(run.counters.filesAdded == files.count)
            #expect(run.counters.filesUnchanged == 0)
            #expect(run.counters.bytesDownloaded >= Int64(files.map(\.size).reduce(0, +)))
            #expect(await Self.downloadedItems(fixture, driveID: user.driveID) == Set(files.map(\.id)))

            let pointA = try #require(try await fixture.catalog.restorePoints(RestorePointFilter(jobID: fixture.job.id)).first)
            let pointB = try #require(try await fixture.catalog.restorePoints(RestorePointFilter(jobID: second.id)).first)
            #expect(pointB.repositoryID == second.repositoryID)
            try await RestorePointCheck(fixture: fixture, point: pointA).expectMatches(snapshot)
            try await RestorePointCheck(fixture: fixture, point: pointB).expectMatches(userOnly)
            try await RestorePointCheck(fixture: fixture, point: pointB).expectVersionHistory(userOnly)
        }
    }

    @Test("a change backed up by one job is still new to the other, whose points keep showing what it saw")
    func jobsDoNotSeeEachOthersChanges() async throws {
        try await BackupFixture.with(Self.spec) { fixture in
            let tenant = fixture.simulator.tenant
            let user = try #require(await tenant.users().first)
            let second = try await Self.secondJob(fixture, upn: user.upn, ownRepository: true)
            _ = try await fixture.backUp()
            _ = try await fixture.runner.runNow(jobID: second.id)
            let before = await TenantSnapshot.capture(tenant)
            let edited = try #require(await tenant.allFiles(driveID: user.driveID).min { $0.id < $1.id })
            try await tenant.updateContent(driveID: user.driveID, itemID: edited.id, bytes: Array("edited for job B".utf8))
            let after = await TenantSnapshot.capture(tenant)

            let secondRun = try await fixture.runner.runNow(jobID: second.id)
            #expect(secondRun.counters.filesChanged == 1)
            let pointsA = try await fixture.catalog.restorePoints(RestorePointFilter(jobID: fixture.job.id))
            let pointsB = try await fixture.catalog.restorePoints(RestorePointFilter(jobID: second.id))
            #expect(pointsA.count == 1 && pointsB.count == 2)
            let firstA = try #require(pointsA.first)
            let latestB = try #require(pointsB.first)
            #expect(latestB.sequence > firstA.sequence)
            try await RestorePointCheck(fixture: fixture, point: firstA).expectMatches(before)
            try await RestorePointCheck(fixture: fixture, point: latestB)
                .expectMatches(TenantSnapshot(drives: after.drives.filter { $0.key == user.driveID }))

            await fixture.simulator.requestLog.reset()
            let secondA = try await fixture.backUp()
            #expect(secondA.counters.filesChanged == 1)
            #expect(await Self.downloadedItems(fixture, driveID: user.driveID) == [edited.id])
            let latestA = try #require(try await fixture.catalog.restorePoints(RestorePointFilter(jobID: fixture.job.id)).first)
            try await RestorePointCheck(fixture: fixture, point: latestA).expectMatches(after)
        }
    }
}
