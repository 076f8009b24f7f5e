import BackupEngine
import Catalog
import Foundation
import LifeboatModel
import LifeboatTestSupport
import M365Simulator
import Testing

/// A run whose task is cancelled (the CLI does so on SIGINT and SIGTERM) ends at once as interrupted.
@Suite("Interrupted runs")
struct RunInterruptionTests {
    @Test("a run cancelled mid-download ends failed saying it was interrupted by SIGTERM, commits nothing, and the job runs again")
    func cancelledRunEndsInterrupted() async throws {
        try await BackupFixture.with(ItemFailureTests.spec) { fixture in
            let tenant = fixture.simulator.tenant
            let drive = try #require(await tenant.drives().first { $0.kind == .business })
            let file = try #require(await tenant.allFiles(driveID: drive.id).first { $0.size > 0 })
            let (started, starting) = AsyncStream.makeStream(of: Void.self)
            let runner = ItemFailureTests.runner(fixture, faults: [file.id: .hangDownload(started: starting)])
            let interruption = RunInterruption()
            let backup = Task { try await runner.runNow(jobID: fixture.job.id, interruption: interruption) }
            for await _ in started { break }

            interruption.record("SIGTERM")
            backup.cancel()
            let run = try await backup.value
            #expect(run.state == .failed)
            let stored = try #require(try await fixture.catalog.run(id: run.id))
            #expect(stored.state == .failed && stored.endedAt != nil)
            let errors = try await fixture.catalog.runErrors(runID: run.id).map(\.message)
            #expect(errors.contains { $0.contains("The run was interrupted by SIGTERM") }, "\(errors)")
            #expect(try await fixture.catalog.restorePoints(RestorePointFilter(jobID: fixture.job.id)).isEmpty)
            #expect(try await fixture.catalog.job(id: fixture.job.id)?.lastStatus == .failed)

            let next = try await fixture.backUp()
            #expect(next.state == .succeeded, "the job is not left running")
            #expect(try await fixture.catalog.restorePoints(RestorePointFilter(jobID: fixture.job.id)).count == 1)
        }
    }
}
