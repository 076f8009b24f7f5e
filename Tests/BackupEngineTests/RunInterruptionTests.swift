import BackupEngine
import Catalog
import Foundation
import LifeboatModel
import LifeboatTestSupport
import Logging
import M365Simulator
import Testing

/// A run whose task is cancelled (the CLI does so on SIGINT and SIGTERM) ends at once as interrupted.
@Suite("Interrupted runs")
struct RunInterruptionTests {
    /// A fault that hangs the download of a file of the first OneDrive, and the stream that says when it started.
    static func hangingDownload(in fixture: BackupFixture) async throws -> (faults: [String: FaultInjectingGraph.Fault], started: AsyncStream<Void>) {
        let tenant = fixture.simulator.tenant
        let drive = try #require(await tenant.drives().first { $0.kind == .business })
        let file = try #require(await tenant.allFiles(driveID: drive.id).first { $0.size > 0 })
        let (started, starting) = AsyncStream.makeStream(of: Void.self)
        return ([file.id: .hangDownload(started: starting)], started)
    }

    @Test("a run cancelled mid-download ends failed saying it was interrupted by SIGTERM, commits nothing, and the job runs again")
    func cancelledRunEndsInterrupted() async throws {
        try await BackupFixture.with(ItemFailureTests.spec) { fixture in
            let (faults, started) = try await Self.hangingDownload(in: fixture)
            let runner = ItemFailureTests.runner(fixture, faults: faults)
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

    @Test("a run whose lease another process took over stops at the owner's next renewal, commits nothing and writes nothing over the claimant's record")
    func lostLeaseStopsTheRun() async throws {
        try await BackupFixture.with(ItemFailureTests.spec) { fixture in
            let (faults, started) = try await Self.hangingDownload(in: fixture)
            let logger = Logger.quiet("test")
            let leases = RunLeaseKeeper(
                catalog: fixture.catalog, policy: RunLeasePolicy(renewalInterval: .milliseconds(50), duration: .seconds(60)),
                logger: logger)
            let runner = BackupRunner(
                catalog: fixture.catalog, repositories: fixture.repositories,
                connector: FaultInjectingConnector(
                    base: CatalogGraphConnector(catalog: fixture.catalog, httpClient: fixture.httpClient, logger: logger),
                    faults: faults),
                leases: leases, logger: logger)
            let backup = Task { try await runner.runNow(jobID: fixture.job.id) }
            for await _ in started { break }

            // Another process judged the run abandoned and claimed it from the lease it read (the owner renews every
            // 50 ms, so a claim may lose to a renewal: read again and retry).
            let claimant = RunLease(owner: RunOwner(host: "another-host", pid: 1), expiresAt: Date().addingTimeInterval(60))
            var claimed: JobRun?
            for _ in 0..<100 where claimed == nil {
                let active = try #require(try await fixture.catalog.runs(jobID: fixture.job.id).first)
                if try await fixture.catalog.claimRun(id: active.id, expecting: active.lease, lease: claimant) { claimed = active }
            }
            let run = try #require(claimed)

            await #expect(throws: CatalogError.leaseLost(runID: run.id)) { try await backup.value }
            let stored = try #require(try await fixture.catalog.run(id: run.id))
            #expect(stored.state == .running && stored.lease?.owner == claimant.owner, "the claimant's record stands")
            #expect(try await fixture.catalog.runErrors(runID: run.id).isEmpty)
            #expect(try await fixture.catalog.restorePoints(RestorePointFilter(jobID: fixture.job.id)).isEmpty)
        }
    }
}
