import BackupEngine
import Catalog
import Foundation
import LifeboatModel
import LifeboatTestSupport
import M365Simulator
import Testing

@Suite("A first backup of a seeded tenant")
struct FirstBackupTests {
    @Test("every file of every drive is stored byte for byte and the restore point is committed")
    func firstBackupStoresEverything() async throws {
        try await BackupFixture.with { fixture in
            let run = try await fixture.backUp()
            #expect(run.state == .succeeded)
            let points = try await fixture.catalog.restorePoints(RestorePointFilter(jobID: fixture.job.id))
            let point = try #require(points.first)
            #expect(points.count == 1)
            var files = 0
            for drive in await fixture.simulator.tenant.drives() {
                let rows = try await fixture.catalog.items(jobID: point.jobID, driveID: drive.id, at: point.sequence, options: PointInTimeOptions())
                let stored = Dictionary(uniqueKeysWithValues: rows.filter { !$0.isFolder }.map { ($0.itemID, $0) })
                for file in await fixture.simulator.tenant.allFiles(driveID: drive.id) {
                    let row = try #require(stored[file.id], "file \(file.name) of drive \(drive.name) missing")
                    let expected = await fixture.simulator.tenant.content(driveID: drive.id, itemID: file.id)
                    #expect(try await fixture.storedBytes(of: row) == expected)
                    files += 1
                }
            }
            #expect(files > 0)
            #expect(run.counters.filesAdded == files)
        }
    }
}
