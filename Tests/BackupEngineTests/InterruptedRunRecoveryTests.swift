import BackupEngine
import Catalog
import ChunkStore
import Foundation
import LifeboatModel
import LifeboatTestSupport
import Logging
import Testing

#if canImport(Glibc)
import Glibc
import ProcessIdentity
#endif

/// Runs left behind by a process that died are ended by whoever starts next; runs another live process works on are not.
@Suite("Runs left behind by a process that died")
struct InterruptedRunRecoveryTests {
    /// A process of this host that has ended: a run it owned is abandoned at once.
    static func deadOwner() async throws -> RunOwner {
        let logs = FileManager.default.temporaryDirectory.appendingPathComponent("lifeboat-dead-owner-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: logs, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: logs) }
        let child = try ChildProcess.launch(URL(fileURLWithPath: "/bin/true"), [], logsIn: logs)
        let pid = child.pid
        let started = LocalProcess.startTime(of: pid)
        _ = try await child.waitForSuccess(timeout: .seconds(30))
        return RunOwner(
            host: LocalProcess.hostname, pid: pid, bootID: LocalProcess.bootID, pidNamespace: LocalProcess.pidNamespace,
            startTime: started ?? 1)
    }

    /// Another process of this host that is alive (this one's parent, the test runner's launcher).
    static func liveOwner() -> RunOwner {
        let pid = getppid()
        return RunOwner(
            host: LocalProcess.hostname, pid: pid, bootID: LocalProcess.bootID, pidNamespace: LocalProcess.pidNamespace,
            startTime: LocalProcess.startTime(of: pid))
    }

    /// A backup run of `job` in `state` owned by `owner` until a minute from now, with an uncommitted restore point.
    static func orphan(
        of job: UUID, in fixture: BackupFixture, owner: RunOwner?, expiresAt: Date = Date().addingTimeInterval(60)
    ) async throws -> (run: JobRun, point: RestorePoint) {
        let run = JobRun(
            externalID: ExternalJobID.make(prefix: ExternalJobID.incrementalBackupPrefix), jobID: job,
            organizationID: fixture.organization.id, kind: .backup, state: .running, startedAt: Date(),
            lease: owner.map { RunLease(owner: $0, expiresAt: expiresAt) })
        try await fixture.catalog.insertRun(run)
        let point = try await fixture.catalog.beginRestorePoint(
            jobID: job, runID: run.id, organizationID: fixture.organization.id, repositoryID: fixture.repositoryRecord.id,
            backupTime: Date(), isOneDrive: true, isSharePoint: true)
        return (run, point)
    }

    @Test("a run whose process died is ended by the next start of its job, which then runs: no serve restart needed")
    func nextStartEndsADeadRun() async throws {
        try await BackupFixture.with { fixture in
            #expect(try await fixture.backUp().state == .succeeded)
            let (orphan, _) = try await Self.orphan(of: fixture.job.id, in: fixture, owner: try await Self.deadOwner())

            let next = try await fixture.backUp()
            #expect(next.state == .succeeded)
            #expect(next.counters.filesAdded == 0 && next.counters.filesChanged == 0)
            let ended = try #require(try await fixture.catalog.run(id: orphan.id))
            #expect(ended.state == .failed && ended.endedAt != nil)
            let message = try #require(try await fixture.catalog.runErrors(runID: orphan.id).first?.message)
            #expect(message.contains("interrupted") && message.contains("is no longer running"), "\(message)")
            #expect(try await fixture.catalog.restorePoints(RestorePointFilter(jobID: fixture.job.id)).count == 2)
            #expect(try await InterruptedRunRecovery(catalog: fixture.catalog, logger: .quiet("test")).recover() == 0)
        }
    }

    @Test("recovery (serve's start-up) ends only runs whose owner is gone: a live process's run and its restore point survive")
    func liveRunsSurviveRecovery() async throws {
        try await BackupFixture.with { fixture in
            let other = BackupJob(
                organizationID: fixture.organization.id, repositoryID: fixture.repositoryRecord.id, name: "Other", scope: .entireOrganization)
            try await fixture.catalog.insertJob(other)
            let (live, livePoint) = try await Self.orphan(of: fixture.job.id, in: fixture, owner: Self.liveOwner())
            let (dead, _) = try await Self.orphan(of: other.id, in: fixture, owner: try await Self.deadOwner())

            let ended = try await InterruptedRunRecovery(catalog: fixture.catalog, logger: .quiet("test")).recover()
            #expect(ended == 1)
            #expect(try await fixture.catalog.run(id: live.id)?.state == .running)
            #expect(try await fixture.catalog.run(id: dead.id)?.state == .failed)
            #expect(try await fixture.catalog.job(id: other.id)?.lastStatus == .failed)

            // The live run's uncommitted point is intact: its owner can still commit it.
            try await fixture.catalog.commitRestorePoint(id: livePoint.id, deltaLinks: [:])
            #expect(try await fixture.catalog.restorePoints(RestorePointFilter(jobID: fixture.job.id)).map(\.id) == [livePoint.id])
            #expect(try await fixture.catalog.restorePoints(RestorePointFilter(jobID: other.id)).isEmpty)
            await #expect(throws: EngineError.jobAlreadyRunning(fixture.job.id), "a start of the live run's job is still refused") {
                try await fixture.backUp()
            }
        }
    }

    @Test("a run on another host is ended only once its lease lapsed; a run recorded without an owner is ended at once")
    func leaseDecidesForOtherHosts() async throws {
        try await BackupFixture.with { fixture in
            let now = Date()
            let elsewhere = RunOwner(host: "another-host", pid: 4242, bootID: "another-boot", pidNamespace: 1, startTime: 7)
            let (remote, _) = try await Self.orphan(
                of: fixture.job.id, in: fixture, owner: elsewhere, expiresAt: now.addingTimeInterval(60))
            let recovery = InterruptedRunRecovery(catalog: fixture.catalog, logger: .quiet("test"))
            #expect(try await recovery.recover(now: now.addingTimeInterval(59)) == 0)
            #expect(try await recovery.recover(now: now.addingTimeInterval(61)) == 1)
            let message = try #require(try await fixture.catalog.runErrors(runID: remote.id).first?.message)
            #expect(message.contains("stopped renewing its lease") && message.contains("another-host"), "\(message)")

            let (old, _) = try await Self.orphan(of: fixture.job.id, in: fixture, owner: nil)
            #expect(try await recovery.recover() == 1)
            #expect(try await fixture.catalog.run(id: old.id)?.state == .failed)
        }
    }

    @Test("restore jobs whose owner died hold no admission slot: the next restore ends them and is admitted")
    func deadRestoreJobsFreeTheirSlots() async throws {
        try await BackupFixture.with { fixture in
            let request = RestoreRequest(organizationID: fixture.organization.id, selections: [])
            let dead = RunLease(owner: try await Self.deadOwner(), expiresAt: Date().addingTimeInterval(60))
            var stuck: [JobRun] = []
            for index in 0..<3 {
                let run = JobRun(
                    externalID: "RS\(index)", jobID: nil, organizationID: fixture.organization.id, kind: .restore,
                    state: index == 0 ? .running : .queued, lease: dead)
                try await fixture.catalog.insertRun(run)
                stuck.append(run)
            }
            let admitted = try await fixture.restoreRunner.enqueue(request)
            #expect(admitted.state == .queued)
            for run in stuck {
                let ended = try #require(try await fixture.catalog.run(id: run.id))
                #expect(ended.state == .failed && ended.endedAt != nil)
            }
            // Live jobs do hold their slots.
            for _ in 0..<2 { _ = try await fixture.restoreRunner.enqueue(request) }
            await #expect(throws: EngineError.tooManyRestoreJobs(limit: 3)) { try await fixture.restoreRunner.enqueue(request) }
        }
    }

    @Test("a process that stops renewing loses its runs: a claim from the lease it last renewed wins, and its heartbeat says so")
    func keeperRenewsAndLearnsOfLoss() async throws {
        try await BackupFixture.with { fixture in
            let keeper = RunLeaseKeeper(
                catalog: fixture.catalog, policy: RunLeasePolicy(renewalInterval: .seconds(3600), duration: .seconds(60)),
                logger: .quiet("test"))
            let start = Date()
            let run = JobRun(
                externalID: "IB1", jobID: fixture.job.id, organizationID: fixture.organization.id, kind: .backup,
                lease: keeper.lease(now: start))
            try await fixture.catalog.insertRun(run)
            await keeper.hold(run)
            #expect(await keeper.renew(now: start.addingTimeInterval(30)).isEmpty)
            let renewed = try #require(try await fixture.catalog.run(id: run.id)?.lease)
            #expect(renewed.expiresAt.timeIntervalSince(start) > 89)
            let liveness = RunLiveness()
            #expect(liveness.abandonment(of: try #require(try await fixture.catalog.run(id: run.id)), now: start.addingTimeInterval(80)) == nil)
            #expect(liveness.abandonment(of: try #require(try await fixture.catalog.run(id: run.id)), now: start.addingTimeInterval(91)) != nil)

            let claimant = RunLease(owner: RunOwner(host: "another-host", pid: 1), expiresAt: start.addingTimeInterval(200))
            #expect(try await fixture.catalog.claimRun(id: run.id, expecting: renewed, lease: claimant))
            #expect(await keeper.renew(now: start.addingTimeInterval(40)) == [run.id])
            #expect(try await fixture.catalog.run(id: run.id)?.lease?.owner == claimant.owner)
        }
    }
}
