import BackupEngine
import Catalog
import Foundation
import LifeboatModel
import LifeboatTestSupport
import Logging
import M365Graph
import M365Simulator
import Testing

/// A process whose run another process ended (its lease lapsed while it was suspended: Ctrl-Z, a sleeping laptop)
/// writes nothing of that run any more: no restore point, no end over the other process's record, no restore.
@Suite("Run ownership")
struct RunOwnershipTests {
    /// A lease that never renews during a test: the suspended process that does not learn of its loss in time.
    static let policy = RunLeasePolicy(renewalInterval: .seconds(3600), duration: .seconds(60))
    static let claimant = RunLease(owner: RunOwner(host: "another-host", pid: 1), expiresAt: Date().addingTimeInterval(600))
    static let claimantsMessage = "The run was interrupted: its process stopped renewing its lease."

    /// Ends `run` as another process's recovery does: claims it from the lease it reads, records the run failed with
    /// its reason and, for a backup, the job failed.
    static func endAsAnotherProcess(_ run: JobRun, in catalog: any CatalogStore) async throws {
        let seen = try #require(try await catalog.run(id: run.id))
        try #require(try await catalog.claimRun(id: run.id, expecting: seen.lease, lease: claimant))
        if let jobID = run.jobID { try await catalog.discardUncommittedRun(jobID: jobID, runID: run.id) }
        var ended = seen
        ended.state = .failed
        ended.endedAt = Date()
        try await catalog.appendRunErrors([RunError(message: claimantsMessage, itemPath: nil)], runID: run.id)
        try await catalog.updateRun(ended, leaseOwner: claimant.owner.id)
        if let jobID = run.jobID { try await catalog.updateJobStatus(id: jobID, lastRun: nil, lastStatus: .failed) }
    }

    static func connector(_ fixture: BackupFixture) -> CatalogGraphConnector {
        CatalogGraphConnector(catalog: fixture.catalog, httpClient: fixture.httpClient, logger: .quiet("test"))
    }

    @Test("a backup whose run another process ends just before its commit commits nothing and leaves that process's record of the run and the job")
    func commitAfterLostLeaseIsRefused() async throws {
        try await BackupFixture.with { fixture in
            // The other process acts the moment this one commits: this one was suspended past its lease until then.
            let runner = Self.runner(fixture, atCommit: { run in try await Self.endAsAnotherProcess(run, in: fixture.catalog) })

            let run = try await runner.enqueue(jobID: fixture.job.id)
            await #expect(throws: CatalogError.leaseLost(runID: run.id)) { try await runner.execute(run) }

            #expect(try await fixture.catalog.restorePoints(RestorePointFilter(jobID: fixture.job.id)).isEmpty, "no restore point")
            let stored = try #require(try await fixture.catalog.run(id: run.id))
            #expect(stored.state == .failed && stored.lease?.owner == Self.claimant.owner, "the other process's end of the run stands")
            #expect(try await fixture.catalog.runErrors(runID: run.id).map(\.message) == [Self.claimantsMessage])
            #expect(try await fixture.catalog.job(id: fixture.job.id)?.lastStatus == .failed)
            #expect(try await fixture.catalog.deltaLink(jobID: fixture.job.id, driveID: try #require(
                try await fixture.catalog.drives(organizationID: fixture.organization.id).first).driveID) == nil)

            let next = try await fixture.backUp()
            #expect(next.state == .succeeded, "the job runs again")
        }
    }

    /// A runner of the fixture's job whose catalog lets `act` do, to the job's running run, what another process does
    /// the moment this one commits its restore point.
    static func runner(_ fixture: BackupFixture, atCommit act: @escaping @Sendable (JobRun) async throws -> Void) -> BackupRunner {
        let intercepting = InterceptingCatalog(fixture.catalog) { method in
            guard method == "commitRestorePoint",
                let run = try await fixture.catalog.runs(jobID: fixture.job.id).first(where: { $0.state == .running })
            else { return }
            try await act(run)
        }
        return BackupRunner(
            catalog: intercepting, repositories: fixture.repositories, connector: connector(fixture),
            leases: RunLeaseKeeper(catalog: intercepting, policy: policy, logger: .quiet("test")), logger: .quiet("test"))
    }

    @Test("a backup whose run another process claims just before its commit (its restore point still there) commits nothing")
    func commitAfterClaimIsRefused() async throws {
        try await BackupFixture.with { fixture in
            let runner = Self.runner(fixture, atCommit: { run in
                try #require(try await fixture.catalog.claimRun(id: run.id, expecting: run.lease, lease: Self.claimant))
            })

            let run = try await runner.enqueue(jobID: fixture.job.id)
            await #expect(throws: CatalogError.leaseLost(runID: run.id)) { try await runner.execute(run) }
            #expect(try await fixture.catalog.restorePoints(RestorePointFilter(jobID: fixture.job.id)).isEmpty, "no restore point")
            let stored = try #require(try await fixture.catalog.run(id: run.id))
            #expect(stored.state == .running && stored.lease?.owner == Self.claimant.owner, "left to the claimant to end")
        }
    }

    @Test("a restore that another process ended before it ran writes nothing to the tenant and leaves that process's record of the job")
    func restoreAfterLostLeaseStops() async throws {
        try await BackupFixture.with { fixture in
            _ = try await fixture.backUp()
            let point = try #require(try await fixture.catalog.restorePoints(RestorePointFilter(jobID: fixture.job.id)).first)
            let tenant = fixture.simulator.tenant
            let drive = try #require(await tenant.drives().first { $0.kind == .business })
            let file = try #require(await tenant.allFiles(driveID: drive.id).first { $0.size > 0 })
            try await tenant.delete(driveID: drive.id, itemID: file.id)
            let before = await tenant.allFiles(driveID: drive.id).count

            let runner = RestoreRunner(
                catalog: fixture.catalog, repositories: fixture.repositories, connector: Self.connector(fixture),
                leases: RunLeaseKeeper(catalog: fixture.catalog, policy: Self.policy, logger: .quiet("test")), logger: .quiet("test"))
            let request = RestoreRequest(
                organizationID: fixture.organization.id,
                selections: [RestoreSelection(jobID: fixture.job.id, restorePointSequence: point.sequence, driveID: drive.id, itemIDs: [file.id])])
            let run = try await runner.enqueue(request)
            try await Self.endAsAnotherProcess(run, in: fixture.catalog)

            await #expect(throws: CatalogError.leaseLost(runID: run.id)) { try await runner.execute(run) }
            #expect(await tenant.allFiles(driveID: drive.id).count == before, "nothing was restored")
            let stored = try #require(try await fixture.catalog.run(id: run.id))
            #expect(stored.state == .failed && stored.lease?.owner == Self.claimant.owner && stored.startedAt == nil)
            #expect(try await fixture.catalog.runErrors(runID: run.id).map(\.message) == [Self.claimantsMessage])

            // An export another process ended produces no archive.
            let archive = try await runner.export(request)
            try await Self.endAsAnotherProcess(archive.run, in: fixture.catalog)
            await #expect(throws: CatalogError.leaseLost(runID: archive.run.id)) {
                for try await _ in archive {}
            }
            #expect(try await fixture.catalog.run(id: archive.run.id)?.lease?.owner == Self.claimant.owner)
        }
    }
}
