@testable import BackupEngine
import Catalog
import Foundation
import LifeboatModel
import LifeboatTestSupport
import M365Graph
import M365Simulator
import Testing

/// How a drive's backup recovers from expired delta links, transient 404s and items listed twice, and where it stops.
@Suite("Drive recovery")
struct DriveRecoveryTests {
    @Test("an expired delta link is followed to its Location once, then enumerated from scratch once, then the drive fails")
    func resyncBudgetIsBounded() {
        let location = "https://graph.example/v1.0/drives/d/root/delta?token=fresh"
        var budget = DriveBackup.ResyncBudget()
        let answers = (0..<3).map { _ in budget.next(location: location) }
        #expect(answers == [.some(location), .some(nil), nil])

        var withoutLocation = DriveBackup.ResyncBudget()
        let first = withoutLocation.next(location: nil)
        let second = withoutLocation.next(location: "https://graph.example/late")
        #expect(first == .some(nil))
        #expect(second == nil, "after a restart from scratch, no Location is followed")
    }

    @Test("an item that fails on one delta page and is backed up on a later one ends counted as backed up and blocks nothing")
    func laterOccurrenceSettlesAFailure() {
        var counters = RunCounters()
        var unsettled = DriveBackup.UnsettledItems()
        let firstFailure = unsettled.failed("a", RunError(message: "first", itemPath: "d/a"))
        let secondFailure = unsettled.failed("a", RunError(message: "again", itemPath: "d/a"))
        let vanished = unsettled.vanished("b")
        #expect(firstFailure && !secondFailure, "an item fails once however often it is listed")
        #expect(vanished)
        #expect(unsettled.failures.map(\.error.message) == ["again"])
        counters.itemsFailed += 1
        counters.itemsSkipped += 1
        #expect(!unsettled.isEmpty)

        unsettled.settled("a", &counters)
        unsettled.settled("b", &counters)
        unsettled.settled("c", &counters)
        #expect(unsettled.isEmpty)
        #expect(counters.itemsFailed == 0 && counters.itemsSkipped == 0)
    }

    @Test("a file changed on one page and moved on a later one stays counted as changed")
    func changedThenMovedStaysChanged() {
        var counters = RunCounters()
        var tallies: [String: DriveBackup.Tally] = [:]
        DriveBackup.tally(.changed, "a", &counters, &tallies)
        DriveBackup.tally(.renamedOrMoved, "a", &counters, &tallies)
        #expect(counters.filesChanged == 1 && counters.itemsRenamedOrMoved == 0)
        DriveBackup.tally(.unchanged, "a", &counters, &tallies)
        #expect(counters.filesChanged == 1 && counters.filesUnchanged == 0)
    }

    @Test("a drive whose every delta answers 410, Location and enumeration from scratch included, fails alone; the other drives are backed up")
    func endlessResyncFailsOnlyItsDrive() async throws {
        try await BackupFixture.with(ItemFailureTests.spec) { fixture in
            let tenant = fixture.simulator.tenant
            _ = try await fixture.backUp()
            let drives = await tenant.drives()
            let stuck = try #require(drives.first { $0.kind == .business })
            let others = drives.filter { $0.id != stuck.id }
            #expect(!others.isEmpty)
            var linksBefore: [String: String] = [:]
            for drive in drives {
                guard let link = try await fixture.catalog.deltaLink(jobID: fixture.job.id, driveID: drive.id) else {
                    Issue.record("drive \(drive.id) has no delta link after its first backup")
                    continue
                }
                linksBefore[drive.id] = link
                let file = try #require(await tenant.allFiles(driveID: drive.id).first)
                try await tenant.updateContent(driveID: drive.id, itemID: file.id, bytes: Array("changed in \(drive.id)".utf8))
            }

            let run = try await ItemFailureTests.runner(
                fixture, faults: [stuck.id: .expiredDelta(location: "/v1.0/drives/\(stuck.id)/root/delta?token=expired-too")]
            ).runNow(jobID: fixture.job.id)
            #expect(run.state == .warning)
            let errors = try await fixture.catalog.runErrors(runID: run.id)
            #expect(errors.count == 1)
            #expect(errors.first?.message.contains("410 resyncRequired") == true, "\(errors)")
            #expect(run.counters.filesChanged == others.count, "every other drive's change is backed up")
            #expect(try await fixture.catalog.deltaLink(jobID: fixture.job.id, driveID: stuck.id) == linksBefore[stuck.id])
            for drive in others {
                #expect(try await fixture.catalog.deltaLink(jobID: fixture.job.id, driveID: drive.id) != linksBefore[drive.id])
            }
        }
    }

    @Test("a file that answers 404 for one run is skipped, the drive keeps its old delta link, and the next run backs the file up")
    func transientNotFoundIsSeenAgain() async throws {
        try await BackupFixture.with(ItemFailureTests.spec) { fixture in
            let tenant = fixture.simulator.tenant
            _ = try await fixture.backUp()
            let drive = try #require(await tenant.drives().first { $0.kind == .business })
            let linkAfterFirst = try #require(try await fixture.catalog.deltaLink(jobID: fixture.job.id, driveID: drive.id))
            let flaky = try #require(await tenant.allFiles(driveID: drive.id).min { $0.id < $1.id })
            try await tenant.updateContent(driveID: drive.id, itemID: flaky.id, bytes: Array("version 2, briefly 404".utf8))
            let after = await TenantSnapshot.capture(tenant)

            let second = try await ItemFailureTests.runner(fixture, faults: [flaky.id: .transientlyNotFound])
                .runNow(jobID: fixture.job.id)
            #expect(second.counters.itemsSkipped == 1)
            #expect(second.counters.itemsFailed == 0)
            #expect(try await fixture.catalog.runErrors(runID: second.id).isEmpty)
            #expect(try await fixture.catalog.deltaLink(jobID: fixture.job.id, driveID: drive.id) == linkAfterFirst)

            let third = try await fixture.backUp()
            #expect(third.state == .succeeded)
            #expect(third.counters.itemsFailed == 0)
            #expect(try await fixture.catalog.deltaLink(jobID: fixture.job.id, driveID: drive.id) != linkAfterFirst)
            let latest = try #require(try await fixture.catalog.restorePoints(RestorePointFilter(jobID: fixture.job.id)).first)
            try await RestorePointCheck(fixture: fixture, point: latest).expectMatches(after)
        }
    }
}
