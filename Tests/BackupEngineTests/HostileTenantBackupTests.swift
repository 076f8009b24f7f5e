import AsyncHTTPClient
import BackupEngine
import Catalog
import Foundation
import LifeboatModel
import LifeboatTestSupport
import Logging
import M365Graph
import M365Simulator
import NIOCore
import Testing

/// Backups through everything a tenant under load does to a backup tool: each test asserts that the run completes,
/// that the restore point holds the tenant byte for byte, and that the run's counts and errors say what happened.
@Suite("Backups of a hostile tenant")
struct HostileTenantBackupTests {
    static let spec = TenantSpec(
        seed: 61, userCount: 1, teamSiteCount: 1, communicationSiteCount: 0, subsitesPerSite: 0, foldersPerDrive: 3,
        maxFolderDepth: 2, filesPerDrive: 12, maxFileSize: 160 << 10, largeFileCount: 0, maxVersions: 3)

    /// Files (live, every drive) of a snapshot.
    static func fileCount(_ snapshot: TenantSnapshot) -> Int {
        snapshot.drives.values.flatMap(\.values).filter { !$0.item.isFolder }.count
    }

    /// The errors of a run, as text, for failure messages.
    static func errors(of run: JobRun, in fixture: BackupFixture) async throws -> [String] {
        try await fixture.catalog.runErrors(runID: run.id).map { "\($0.itemPath ?? "-"): \($0.message)" }
    }

    /// Backs up the tenant once under `plan`; expects success and a restore point equal to the tenant.
    private func backUpCleanly(
        _ plan: FaultPlan, spec: TenantSpec = spec, sourceLocation: SourceLocation = #_sourceLocation
    ) async throws -> (run: JobRun, log: [LoggedRequest], snapshot: TenantSnapshot) {
        try await BackupFixture.with(spec, configure: { $0.faults = plan }) { fixture in
            let snapshot = await TenantSnapshot.capture(fixture.simulator.tenant)
            let run = try await fixture.backUp()
            let runErrors = try await Self.errors(of: run, in: fixture)
            #expect(run.state == .succeeded, "\(runErrors)", sourceLocation: sourceLocation)
            #expect(run.counters.itemsFailed == 0, sourceLocation: sourceLocation)
            #expect(run.counters.filesAdded == Self.fileCount(snapshot), sourceLocation: sourceLocation)
            let point = try #require(
                try await fixture.catalog.restorePoints(RestorePointFilter(jobID: fixture.job.id)).first, sourceLocation: sourceLocation)
            let check = RestorePointCheck(fixture: fixture, point: point)
            try await check.expectMatches(snapshot, sourceLocation: sourceLocation)
            try await check.expectVersionHistory(snapshot, sourceLocation: sourceLocation)
            return (run, await fixture.simulator.requestLog.entries(), snapshot)
        }
    }

    @Test("over budget the tenant answers 429 or 503 with Retry-After, for resource units and for egress; the backup waits and completes")
    func budgetsAnswered429And503() async throws {
        var plan = FaultPlan(seed: 71)
        plan.overBudgetServiceUnavailableShare = 0.5
        // A body counts against egress as it starts, and one file of more than 64 KiB fills the window: downloads that
        // arrive within the next second are refused however slow the machine is, dozens per run. Each answer's 429 or
        // 503 is drawn from the seed and the request, so with that many both show up.
        plan.egressBudget = FaultPlan.EgressBudget(bytes: 64 << 10, window: .seconds(1))
        let (_, log, _) = try await backUpCleanly(plan)
        let egress = log.compactMap { entry -> Int? in
            if case .egressThrottled(let status, _) = entry.fault { status } else { nil }
        }
        #expect(Set(egress) == [429, 503], "both answers to an egress budget: \(egress)")
        #expect(log.filter { [429, 503].contains($0.status) }.allSatisfy { $0.fault != nil })
    }

    @Test("connections reset before and in the middle of bodies, slow first bytes and slow bodies: downloads resume with Range")
    func brokenAndSlowBodies() async throws {
        var plan = FaultPlan(seed: 72)
        plan.connectionResetShare = 0.15
        plan.resetBeforeBodyShare = 0.15
        plan.slowFirstByteShare = 0.1
        plan.firstByteDelay = .milliseconds(100)
        plan.slowBodyShare = 0.15
        plan.bodyChunkDelay = .milliseconds(10)
        let (_, log, _) = try await backUpCleanly(plan)
        let downloads = log.enumerated().filter { $0.element.contentRequest?.kind == .downloadURL }
        var midBody = 0
        for (index, entry) in downloads {
            guard case .connectionReset(let sent) = entry.fault, let file = entry.contentRequest else { continue }
            // The next request for the same file continues where this one broke.
            let next = try #require(
                downloads.first { $0.offset > index && $0.element.contentRequest == file }?.element, "no retry after \(entry)")
            // Where the broken request started (a resumed one asks for a range) and where its retry starts.
            let base = entry.range.flatMap(Self.rangeStart) ?? 0
            let start = next.range.flatMap(Self.rangeStart) ?? 0
            if sent == 0 {
                #expect(start == base, "nothing arrived: the retry asks for the same bytes again")
            } else {
                midBody += 1
                #expect(start > base && start <= base + sent, "resumed at \(start) after \(sent) bytes from \(base)")
                #expect(next.status == 206 || next.fault != nil)
            }
        }
        #expect(midBody >= 2)
        #expect(log.contains { $0.fault == .connectionReset(afterBytes: 0) })
        #expect(log.contains { $0.fault == .slowFirstByte })
        #expect(log.contains { $0.fault == .slowBody })
    }

    @Test("a body that stalls beyond the read timeout is abandoned and resumed; a slow body within it is read to the end")
    func stalledBodies() async throws {
        // The read timeout applies to every request of the run (token, delta pages, versions, downloads), and on a
        // 2-core CI machine running every suite at once an unstalled answer has taken over 4 s; so 10 s: a slow body
        // pauses 1 s between chunks, a tenth of it; a stall lasts four times it.
        let readTimeout = TimeAmount.seconds(10)
        var plan = FaultPlan(seed: 73)
        plan.stalledBodyShare = 0.25
        plan.stallDuration = .seconds(40)
        plan.slowBodyShare = 0.25
        plan.bodyChunkDelay = .seconds(1)
        try await BackupFixture.with(Self.spec, configure: { $0.faults = plan }) { fixture in
            var configuration = HTTPClient.Configuration(redirectConfiguration: .disallow)
            configuration.timeout = .init(connect: .seconds(5), read: readTimeout)
            let impatient = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
            let snapshot = await TenantSnapshot.capture(fixture.simulator.tenant)
            let run: JobRun
            do {
                run = try await Self.runner(fixture, httpClient: impatient).runNow(jobID: fixture.job.id)
                try await impatient.shutdown()
            } catch {
                try? await impatient.shutdown()
                throw error
            }
            let runErrors = try await Self.errors(of: run, in: fixture)
            #expect(run.state == .succeeded, "\(runErrors)")
            #expect(run.counters.filesAdded == Self.fileCount(snapshot))
            let point = try #require(try await fixture.catalog.restorePoints(RestorePointFilter(jobID: fixture.job.id)).first)
            try await RestorePointCheck(fixture: fixture, point: point).expectMatches(snapshot)

            let log = await fixture.simulator.requestLog.entries()
            let stalled = log.enumerated().filter { if case .stalledBody = $0.element.fault { true } else { false } }
            #expect(!stalled.isEmpty)
            for (index, entry) in stalled {
                guard case .stalledBody(let after) = entry.fault, after > 0 else { continue }
                let next = log[(index + 1)...].first { $0.contentRequest == entry.contentRequest }
                #expect(next?.range != nil, "the stalled download of \(entry.path) was resumed with Range")
            }
            let slow = log.filter { $0.fault == .slowBody }
            #expect(!slow.isEmpty)
            for entry in slow {
                // A slow body is read to its end: no later request asks for the same file again.
                let file = entry.contentRequest
                let index = try #require(log.firstIndex(of: entry))
                #expect(!log[(index + 1)...].contains { $0.contentRequest == file && $0.contentRequest?.kind == .downloadURL })
            }
        }
    }

    @Test("files deleted, renamed or changed between enumeration and download: gone is skipped, new content is stored with its own hash, a rename is seen next run")
    func changesBetweenEnumerationAndDownload() async throws {
        var plan = FaultPlan(seed: 74)
        plan.changesBeforeDownload = FaultPlan.ChangesBeforeDownload(deleted: 0.15, renamed: 0.15, contentChanged: 0.15)
        try await BackupFixture.with(Self.spec, configure: { $0.faults = plan }) { fixture in
            let tenant = fixture.simulator.tenant
            let before = await TenantSnapshot.capture(tenant)
            let first = try await fixture.backUp()
            let log = await fixture.simulator.requestLog.entries()
            let after = await TenantSnapshot.capture(tenant)
            func changed(_ change: ItemChange) -> Set<String> {
                Set(log.filter { $0.fault == .changedBeforeDownload(change) }.compactMap(\.contentRequest?.itemID))
            }
            let (deleted, renamed, rewritten) = (changed(.deleted), changed(.renamed), changed(.contentChanged))
            #expect(!deleted.isEmpty && !renamed.isEmpty && !rewritten.isEmpty)

            let firstErrors = try await Self.errors(of: first, in: fixture)

            #expect(first.state == .succeeded, "\(firstErrors)")
            #expect(first.counters.itemsFailed == 0)
            #expect(first.counters.itemsSkipped == deleted.count, "gone files are skipped and counted")
            #expect(first.counters.filesAdded == Self.fileCount(after))
            // The first restore point holds what the tenant holds now, except that renamed files keep the name the
            // enumeration gave them (their content is the same).
            var expected = after
            for (driveID, items) in before.drives {
                for id in renamed { if let old = items[id] { expected.drives[driveID]?[id]?.item.name = old.item.name } }
            }
            let points = { try await fixture.catalog.restorePoints(RestorePointFilter(jobID: fixture.job.id)).sorted { $0.sequence < $1.sequence } }
            let p1 = RestorePointCheck(fixture: fixture, point: try #require(try await points().first))
            try await p1.expectMatches(expected)
            try await p1.expectVersionHistory(after)

            await fixture.simulator.requestLog.reset()
            let second = try await fixture.backUp()
            #expect(second.state == .succeeded)
            #expect(second.counters.itemsRenamedOrMoved == renamed.count)
            #expect(second.counters.filesChanged == 0 && second.counters.filesAdded == 0)
            #expect(await fixture.simulator.requestLog.entries().compactMap(\.contentRequest).isEmpty, "nothing downloaded twice")
            try await RestorePointCheck(fixture: fixture, point: try #require(try await points().last)).expectMatches(after)
        }
    }

    @Test("a stale delta link is followed by its Location; the re-enumeration downloads nothing unchanged and closes what it no longer lists")
    func resyncFollowsLocation() async throws {
        try await BackupFixture.with(Self.spec) { fixture in
            let tenant = fixture.simulator.tenant
            _ = try await fixture.backUp()
            let drive = try #require(await tenant.drives().first)
            let doomed = try #require(await tenant.allFiles(driveID: drive.id).last)
            try await tenant.delete(driveID: drive.id, itemID: doomed.id)
            for drive in await tenant.drives() { await tenant.expireDeltaTokens(driveID: drive.id) }
            let after = await TenantSnapshot.capture(tenant)

            await fixture.simulator.requestLog.reset()
            let second = try await fixture.backUp()
            let log = await fixture.simulator.requestLog.entries()
            #expect(second.state == .succeeded)
            let resyncs = log.enumerated().filter { $0.element.status == 410 }
            #expect(resyncs.count == after.drives.count)
            for (index, entry) in resyncs {
                let next = try #require(log[(index + 1)...].first { $0.path == entry.path })
                #expect(next.query.hasSuffix("token=ZDow"), "the re-enumeration starts from the 410's Location: \(next.query)")
                #expect(next.status == 200)
            }
            #expect(log.compactMap(\.contentRequest).isEmpty, "no content downloaded again")
            #expect(second.counters.itemsDeleted == 1)
            #expect(second.counters.filesUnchanged == Self.fileCount(after))
            #expect(second.counters.filesAdded == 0 && second.counters.filesChanged == 0)
            let point = try #require(try await fixture.catalog.restorePoints(RestorePointFilter(jobID: fixture.job.id)).first)
            try await RestorePointCheck(fixture: fixture, point: point).expectMatches(after)
        }
    }

    @Test("items listed twice in one enumeration, first in an earlier state, are recorded and counted once in their last state")
    func duplicateDeltaItems() async throws {
        var plan = FaultPlan(seed: 75)
        plan.duplicateDeltaItemShare = 0.4
        try await BackupFixture.with(Self.spec, configure: { $0.faults = plan }) { fixture in
            let snapshot = await TenantSnapshot.capture(fixture.simulator.tenant)
            let itemCount = snapshot.drives.values.map(\.count).reduce(0, +)
            let first = try await fixture.backUp()
            let firstErrors = try await Self.errors(of: first, in: fixture)
            #expect(first.state == .succeeded, "\(firstErrors)")
            #expect(first.counters.itemsScanned > itemCount, "some items were listed twice")
            #expect(first.counters.filesAdded == Self.fileCount(snapshot))
            #expect(first.counters.filesUnchanged == 0 && first.counters.filesChanged == 0)
            let point = try #require(try await fixture.catalog.restorePoints(RestorePointFilter(jobID: fixture.job.id)).first)
            try await RestorePointCheck(fixture: fixture, point: point).expectMatches(snapshot)
            try await RestorePointCheck(fixture: fixture, point: point).expectVersionHistory(snapshot)

            // Enumerated again from scratch, with the same repeats: nothing changed, and nothing is counted twice.
            let second = try await fixture.backUp(fullEnumeration: true)
            #expect(second.state == .succeeded)
            #expect(second.counters.filesUnchanged == Self.fileCount(snapshot))
            #expect(second.counters.filesChanged == 0 && second.counters.filesAdded == 0 && second.counters.itemsDeleted == 0)
            #expect(second.counters.itemsRenamedOrMoved == 0)
            let latest = try #require(try await fixture.catalog.restorePoints(RestorePointFilter(jobID: fixture.job.id)).first)
            try await RestorePointCheck(fixture: fixture, point: latest).expectMatches(snapshot)
        }
    }

    @Test("files the service refuses (403 accessDenied, 423 resourceLocked) fail with Graph's code; the run ends with warnings and holds everything else")
    func refusedFilesFailWithTheirCode() async throws {
        var plan = FaultPlan(seed: 76)
        plan.inaccessibleFileShare = 0.2
        try await BackupFixture.with(Self.spec, configure: { $0.faults = plan }) { fixture in
            let snapshot = await TenantSnapshot.capture(fixture.simulator.tenant)
            let run = try await fixture.backUp()
            let log = await fixture.simulator.requestLog.entries()
            var refused: [String: Int] = [:]
            var drivesWithRefusals: Set<String> = []
            for entry in log {
                if case .inaccessible(let status) = entry.fault, let file = entry.contentRequest {
                    refused[file.itemID] = status
                    drivesWithRefusals.insert(file.driveID)
                }
            }
            #expect(Set(refused.values) == [403, 423])
            #expect(run.state == .warning)
            #expect(run.counters.itemsFailed == refused.count)
            #expect(run.counters.filesAdded == Self.fileCount(snapshot) - refused.count)
            let errors = try await fixture.catalog.runErrors(runID: run.id)
            #expect(errors.count == refused.count)
            #expect(errors.filter { $0.message.contains("403 accessDenied") }.count == refused.values.filter { $0 == 403 }.count)
            #expect(errors.filter { $0.message.contains("423 resourceLocked") }.count == refused.values.filter { $0 == 423 }.count)
            for (id, _) in refused {
                // A 403 from the listing's download URL may mean it expired, so `/content` is asked once; its refusal is final.
                #expect(log.filter { $0.contentRequest?.itemID == id }.count <= 2, "a refusal is not retried")
            }

            let point = try #require(try await fixture.catalog.restorePoints(RestorePointFilter(jobID: fixture.job.id)).first)
            var withoutRefused = snapshot
            for driveID in snapshot.drives.keys {
                for id in refused.keys { withoutRefused.drives[driveID]?[id] = nil }
            }
            try await RestorePointCheck(fixture: fixture, point: point).expectMatches(withoutRefused)
            for drive in snapshot.drives.keys {
                let link = try await fixture.catalog.deltaLink(jobID: fixture.job.id, driveID: drive)
                #expect((link == nil) == drivesWithRefusals.contains(drive), "a drive with a failed file is enumerated again next run")
            }
        }
    }

    /// N of a `Range: bytes=N-` header.
    static func rangeStart(_ header: String) -> Int? {
        Int(header.dropFirst("bytes=".count).prefix { $0 != "-" })
    }

    /// A runner for the fixture's job whose Graph clients use `httpClient`.
    static func runner(_ fixture: BackupFixture, httpClient: HTTPClient) -> BackupRunner {
        var logger = Logger(label: "lifeboat.test.hostile")
        logger.logLevel = .critical
        let connector = CatalogGraphConnector(
            catalog: fixture.catalog, httpClient: httpClient,
            retryPolicy: GraphClient.RetryPolicy(maxAttempts: 6, initialBackoff: .milliseconds(5)), logger: logger)
        return BackupRunner(catalog: fixture.catalog, repositories: fixture.repositories, connector: connector, logger: logger)
    }
}
