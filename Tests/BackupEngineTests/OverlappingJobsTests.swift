import BackupEngine
import Catalog
import ChunkStore
import Foundation
import LifeboatModel
import LifeboatTestSupport
import M365Simulator
import NIOCore
import Testing

/// Two jobs that protect the same drive into different repositories must each hold its own copy of the content.
@Suite("Overlapping jobs")
struct OverlappingJobsTests {
    @Test("a second job writing to another repository stores every file of a drive the first job already backed up")
    func secondRepositoryHoldsItsOwnCopy() async throws {
        let spec = TenantSpec(
            seed: 51, userCount: 1, teamSiteCount: 0, communicationSiteCount: 0, foldersPerDrive: 1, filesPerDrive: 3,
            maxFileSize: 8 << 10, largeFileCount: 0, maxVersions: 1)
        try await BackupFixture.with(spec) { fixture in
            _ = try await fixture.backUp()
            let user = try #require(await fixture.simulator.tenant.users().first)
            let otherRecord = BackupRepository(
                name: "Second repository", location: fixture.directory.appendingPathComponent("second").path)
            try await fixture.catalog.insertRepository(otherRecord)
            let otherJob = BackupJob(
                organizationID: fixture.organization.id, repositoryID: otherRecord.id, name: "One user",
                scope: BackupScope(users: [user.upn]))
            try await fixture.catalog.insertJob(otherJob)
            let run = try await fixture.runner.runNow(jobID: otherJob.id)
            #expect(run.state == .succeeded)

            let point = try #require(try await fixture.catalog.restorePoints(RestorePointFilter(jobID: otherJob.id)).first)
            let other = try await fixture.repositories.repository(for: otherRecord)
            let files = try await fixture.catalog.items(driveID: user.driveID, at: point.sequence, options: PointInTimeOptions())
                .filter { !$0.isFolder }
            try #require(!files.isEmpty)
            await withKnownIssue("item versions are shared per drive, not per job or repository") {
                #expect(run.counters.filesAdded == files.count)
                for row in files {
                    let manifest = try ContentManifest(serialized: try #require(row.content))
                    var bytes: [UInt8] = []
                    for try await buffer in other.read(manifest) { bytes += buffer.readableBytesView }
                    #expect(bytes == (await fixture.simulator.tenant.content(driveID: user.driveID, itemID: row.itemID)))
                }
            }
        }
    }
}
