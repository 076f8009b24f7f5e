import Catalog
import LifeboatModel
import LifeboatTestSupport
import M365Simulator
import Testing

@Suite("Backups paced to the tenant's Graph budget")
struct PacedBackupTests {
    /// 1,800 RU a minute, counted over 8-second windows (240 RU each) by the simulator and by the client alike, so a
    /// backup of the small tenant (about 330 RU) needs more than one window.
    static let window: Duration = .seconds(8)
    static let unitsPerMinute = 1_800
    static let unitsPerWindow = 240

    /// Backs up the small tenant against a simulator enforcing the budget; checks the restore point against the tenant
    /// and returns the requests Graph charged.
    private func backUp(
        pacedTo unitsPerMinute: Int?, window: Duration = window, unitsPerWindow: Int = unitsPerWindow
    ) async throws -> [LoggedRequest] {
        var plan = FaultPlan(seed: 31)
        plan.resourceUnitBudget = FaultPlan.ResourceUnitBudget(units: unitsPerWindow, window: window)
        return try await BackupFixture.with(
            pacing: BackupFixture.Pacing(resourceUnitsPerMinute: unitsPerMinute, window: window),
            configure: { $0.faults = plan }
        ) { fixture in
            let snapshot = await TenantSnapshot.capture(fixture.simulator.tenant)
            let run = try await fixture.backUp()
            let errors = try await fixture.catalog.runErrors(runID: run.id).map { "\($0.itemPath ?? "-"): \($0.message)" }
            #expect(run.state == .succeeded, "\(errors)")
            let point = try #require(try await fixture.catalog.restorePoints(RestorePointFilter(jobID: fixture.job.id)).first)
            try await RestorePointCheck(fixture: fixture, point: point).expectMatches(snapshot)
            return await fixture.simulator.requestLog.entries().filter {
                $0.path.hasPrefix("/v1.0/") || $0.path.hasPrefix("/download/")
            }
        }
    }

    @Test("paced to the budget, a backup spending several windows' worth finishes with at most 1% of calls throttled")
    func pacedBackupIsRarelyThrottled() async throws {
        let charged = try await backUp(pacedTo: Self.unitsPerMinute)
        let throttled = charged.filter { $0.status == 429 }.count
        let spent = charged.reduce(0) { $0 + ($1.resourceUnits ?? 0) }
        #expect(spent > Self.unitsPerWindow, "the backup needs more than one window of budget")
        #expect(Double(throttled) <= 0.01 * Double(charged.count), "\(throttled) of \(charged.count) calls throttled")
    }

    @Test("unpaced, the same backup overruns the budget and is throttled (what the pacing prevents)")
    func unpacedBackupIsThrottled() async throws {
        // 10 RU per 1-second window. Each drive of the small tenant holds 12 files, whose histories go in one JSON
        // batch that Graph charges as 12 requests arriving together: the batch overruns the window by itself. So the
        // unpaced backup is throttled however slowly a machine loaded by the rest of the suite runs it, where a sliding
        // window alone can be outlasted by a slow enough sender.
        let charged = try await backUp(pacedTo: nil, window: .seconds(1), unitsPerWindow: 10)
        let throttled = charged.filter { $0.status == 429 }
        #expect(Double(throttled.count) > 0.01 * Double(charged.count), "\(throttled.count) of \(charged.count) calls throttled")
        #expect(throttled.contains { $0.path.hasSuffix("/versions") }, "batched histories were throttled")
    }
}
