import Catalog
import Foundation
import LifeboatModel
import Testing

/// Run owners and leases as the catalog keeps them: recorded with the run, renewed by their owner, and claimed only
/// from the lease a claimant saw.
@Suite("Run leases")
struct RunLeaseTests {
    static let epoch = CatalogSeed.epoch
    static let owner = RunOwner(
        host: "backup-1", pid: 4242, bootID: "3f1c0b9e-boot", pidNamespace: 4_026_531_836, startTime: 98_765_432_101)

    @Test("a run's owner and lease round-trip; the owner's heartbeat renews only its own active runs")
    func renewal() async throws {
        let catalog = try await SQLCatalog.openInMemory()
        let seed = try await CatalogSeed.insert(into: catalog)
        let lease = RunLease(owner: Self.owner, expiresAt: Self.epoch.addingTimeInterval(60))
        let mine = JobRun(externalID: "FB1", jobID: seed.job.id, organizationID: seed.organization.id, kind: .backup, lease: lease)
        let other = RunLease(owner: RunOwner(host: "backup-2", pid: 7), expiresAt: Self.epoch.addingTimeInterval(60))
        let theirs = JobRun(externalID: "RS1", jobID: nil, organizationID: seed.organization.id, kind: .restore, lease: other)
        var ended = JobRun(externalID: "FB0", jobID: seed.job.id, organizationID: seed.organization.id, kind: .backup, lease: lease)
        ended.state = .succeeded
        for run in [mine, theirs, ended] { try await catalog.insertRun(run) }
        #expect(try await catalog.run(id: mine.id)?.lease == lease)

        let later = Self.epoch.addingTimeInterval(70)
        #expect(try await catalog.renewRunLeases([mine.id, theirs.id, ended.id], ownerID: Self.owner.id, until: later) == [mine.id])
        #expect(try await catalog.run(id: mine.id)?.lease?.expiresAt == later)
        #expect(try await catalog.run(id: theirs.id)?.lease == other)
        #expect(try await catalog.run(id: ended.id)?.lease?.expiresAt == lease.expiresAt)
        try await catalog.shutdown()
    }

    @Test("a claim succeeds only from the lease the claimant saw: a renewed run, or one already claimed, is not taken")
    func claim() async throws {
        let catalog = try await SQLCatalog.openInMemory()
        let seed = try await CatalogSeed.insert(into: catalog)
        let seen = RunLease(owner: Self.owner, expiresAt: Self.epoch.addingTimeInterval(60))
        let run = JobRun(externalID: "FB1", jobID: seed.job.id, organizationID: seed.organization.id, kind: .backup, lease: seen)
        try await catalog.insertRun(run)
        let claimant = RunLease(owner: RunOwner(host: "backup-2", pid: 9), expiresAt: Self.epoch.addingTimeInterval(120))

        _ = try await catalog.renewRunLeases([run.id], ownerID: Self.owner.id, until: Self.epoch.addingTimeInterval(61))
        #expect(try await !catalog.claimRun(id: run.id, expecting: seen, lease: claimant), "the owner renewed after it was seen")
        let renewed = try #require(try await catalog.run(id: run.id)?.lease)
        #expect(try await catalog.claimRun(id: run.id, expecting: renewed, lease: claimant))
        #expect(try await catalog.run(id: run.id)?.lease == claimant)
        #expect(try await !catalog.claimRun(id: run.id, expecting: renewed, lease: claimant), "a second claimant loses")
        #expect(try await catalog.renewRunLeases([run.id], ownerID: Self.owner.id, until: Self.epoch.addingTimeInterval(90)).isEmpty,
                "the former owner's heartbeat no longer renews it")

        let ownerless = JobRun(externalID: "FB2", jobID: seed.job.id, organizationID: seed.organization.id, kind: .backup)
        try await catalog.insertRun(ownerless)
        #expect(try await catalog.run(id: ownerless.id)?.lease == nil)
        #expect(try await catalog.claimRun(id: ownerless.id, expecting: nil, lease: claimant), "a run without owner is claimed from none")
        var finished = try #require(try await catalog.run(id: ownerless.id))
        finished.state = .failed
        try await catalog.updateRun(finished)
        #expect(try await !catalog.claimRun(id: ownerless.id, expecting: claimant, lease: seen), "an ended run is never claimed")
        try await catalog.shutdown()
    }
}
