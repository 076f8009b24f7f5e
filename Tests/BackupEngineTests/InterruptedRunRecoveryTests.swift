import BackupEngine
import Catalog
import Foundation
import LifeboatModel
import LifeboatTestSupport
import Logging
import Testing

@Suite("Runs left behind by a process that died")
struct InterruptedRunRecoveryTests {
    @Test("a run left running is ended as failed, its uncommitted restore point discarded, and the job runs again")
    func interruptedRunIsRecovered() async throws {
        try await BackupFixture.with { fixture in
            let first = try await fixture.backUp()
            #expect(first.state == .succeeded)

            // What a process killed mid-backup leaves: a running run with an uncommitted restore point.
            let orphan = try await fixture.runner.enqueue(jobID: fixture.job.id)
            var running = orphan
            running.state = .running
            running.startedAt = Date()
            try await fixture.catalog.updateRun(running)
            _ = try await fixture.catalog.beginRestorePoint(
                jobID: fixture.job.id, runID: orphan.id, organizationID: fixture.organization.id,
                repositoryID: fixture.repositoryRecord.id, backupTime: Date(), isOneDrive: true, isSharePoint: true)
            await #expect(throws: EngineError.self) { try await fixture.backUp() }

            let ended = try await InterruptedRunRecovery(catalog: fixture.catalog, logger: .quiet("test")).recover()
            #expect(ended == 1)
            let recovered = try #require(try await fixture.catalog.run(id: orphan.id))
            #expect(recovered.state == .failed)
            #expect(recovered.endedAt != nil)
            #expect(try await fixture.catalog.runErrors(runID: orphan.id).first?.message.contains("interrupted") == true)
            #expect(try await fixture.catalog.restorePoints(RestorePointFilter(jobID: fixture.job.id)).count == 1)

            let next = try await fixture.backUp()
            #expect(next.state == .succeeded)
            #expect(next.counters.filesAdded == 0 && next.counters.filesChanged == 0)
            #expect(try await fixture.catalog.restorePoints(RestorePointFilter(jobID: fixture.job.id)).count == 2)
            #expect(try await InterruptedRunRecovery(catalog: fixture.catalog, logger: .quiet("test")).recover() == 0)
        }
    }

    @Test("restore jobs left queued or running are ended, so they no longer hold the organization's three restore slots")
    func interruptedRestoreJobsFreeTheirSlots() async throws {
        try await BackupFixture.with { fixture in
            let request = RestoreRequest(organizationID: fixture.organization.id, selections: [])
            var stuck: [JobRun] = []
            for _ in 0..<3 { stuck.append(try await fixture.restoreRunner.enqueue(request)) }
            var running = stuck[0]
            running.state = .running
            try await fixture.catalog.updateRun(running)
            await #expect(throws: EngineError.tooManyRestoreJobs(limit: 3)) { try await fixture.restoreRunner.enqueue(request) }

            let ended = try await InterruptedRunRecovery(catalog: fixture.catalog, logger: .quiet("test")).recover()
            #expect(ended == 3)
            for run in stuck {
                let recovered = try #require(try await fixture.catalog.run(id: run.id))
                #expect(recovered.state == .failed && recovered.endedAt != nil)
            }
            let admitted = try await fixture.restoreRunner.enqueue(request)
            #expect(admitted.state == .queued)
        }
    }
}
