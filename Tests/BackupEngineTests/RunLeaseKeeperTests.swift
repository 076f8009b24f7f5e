import BackupEngine
import Catalog
import Foundation
import LifeboatModel
import LifeboatTestSupport
import Synchronization
import Testing

/// The lease keeper renews exactly the runs it holds, judges a renewal only by the runs it asked to renew, and stops
/// runs whose lease lapsed while the catalog could not be written.
@Suite("Run lease keeper")
struct RunLeaseKeeperTests {
    /// A lease store whose renewals wait for the test to answer them, or fail; it records what each renewal asked for.
    final class ScriptedLeaseStore: RunLeaseStore {
        private struct State {
            var requests: [Set<UUID>] = []
            var answers: [CheckedContinuation<Set<UUID>?, Never>] = []
        }

        private let state = Mutex(State())
        /// Yields once per renewal that started.
        let started: AsyncStream<Set<UUID>>
        private let starting: AsyncStream<Set<UUID>>.Continuation

        init() {
            (started, starting) = AsyncStream.makeStream(of: Set<UUID>.self)
        }

        /// The run ids each renewal asked for, in order.
        var requests: [Set<UUID>] { state.withLock { $0.requests } }

        /// Answers the oldest pending renewal: the runs renewed, or nil to fail it (a full disk).
        func answer(_ renewed: Set<UUID>?) {
            let pending = state.withLock { $0.answers.isEmpty ? nil : $0.answers.removeFirst() }
            pending?.resume(returning: renewed)
        }

        func renewRunLeases(_ runIDs: Set<UUID>, ownerID: UUID, until expiresAt: Date) async throws -> Set<UUID> {
            let answer = await withCheckedContinuation { continuation in
                state.withLock {
                    $0.requests.append(runIDs)
                    $0.answers.append(continuation)
                }
                starting.yield(runIDs)
            }
            guard let answer else { throw CatalogError.invalidArgument("disk full") }
            return answer
        }

        func claimRun(id: UUID, expecting expected: RunLease?, lease: RunLease) async throws -> Bool { false }
    }

    /// A flag a loss handler sets.
    final class Flag: Sendable {
        private let value = Mutex(false)
        var isSet: Bool { value.withLock { $0 } }
        func set() { value.withLock { $0 = true } }
    }

    static let policy = RunLeasePolicy(renewalInterval: .seconds(3600), duration: .seconds(60))

    static func run(leasedBy keeper: RunLeaseKeeper, now: Date) -> JobRun {
        JobRun(externalID: "FB\(UUID().uuidString.prefix(8))", jobID: UUID(), organizationID: UUID(), kind: .backup, lease: keeper.lease(now: now))
    }

    /// Renews `keeper`'s leases at `now`, the store answering `renewed` (nil: failing) once `meanwhile` ran with the
    /// renewal under way.
    static func renew(
        _ keeper: RunLeaseKeeper, at now: Date, through store: ScriptedLeaseStore, answering renewed: Set<UUID>?,
        meanwhile: () async -> Void = {}
    ) async -> Set<UUID> {
        let renewal = Task { await keeper.renew(now: now) }
        for await _ in store.started { break }
        await meanwhile()
        store.answer(renewed)
        return await renewal.value
    }

    @Test("a run held while a renewal is under way is not judged by it: it is neither reported lost nor stopped, and the next renewal renews it")
    func holdDuringRenewal() async throws {
        let store = ScriptedLeaseStore()
        let keeper = RunLeaseKeeper(catalog: store, policy: Self.policy, logger: .quiet("test"))
        let now = Date()
        let first = Self.run(leasedBy: keeper, now: now)
        await keeper.hold(first)
        let second = Self.run(leasedBy: keeper, now: now)
        let stopped = Flag()
        let lost = await Self.renew(keeper, at: now, through: store, answering: [first.id]) {
            // Inserted and held while the renewal's statement runs: that statement did not see it.
            await keeper.hold(second)
            await keeper.onLoss(of: second.id) { stopped.set() }
        }
        #expect(lost.isEmpty)
        #expect(!stopped.isSet, "a brand-new run was stopped as if another process had ended it")

        #expect(await Self.renew(keeper, at: now, through: store, answering: [first.id, second.id]).isEmpty)
        #expect(store.requests == [[first.id], [first.id, second.id]])
    }

    @Test("only held runs are renewed: a released run of this process and a run whose enqueue failed lapse, while a held run's lease is extended")
    func renewsOnlyHeldRuns() async throws {
        try await BackupFixture.with { fixture in
            // Fails the job status write of the enqueue, after the run was inserted and held.
            let failing = InterceptingCatalog(fixture.catalog) { method in
                if method == "updateJobStatus" { throw CatalogError.invalidArgument("disk full") }
            }
            let keeper = RunLeaseKeeper(catalog: fixture.catalog, policy: Self.policy, logger: .quiet("test"))
            let runner = BackupRunner(
                catalog: failing, repositories: fixture.repositories, connector: CatalogGraphConnector(
                    catalog: fixture.catalog, httpClient: fixture.httpClient, logger: .quiet("test")),
                leases: keeper, logger: .quiet("test"))
            await #expect(throws: CatalogError.self) { try await runner.enqueue(jobID: fixture.job.id) }
            let failedEnqueue = try #require(try await fixture.catalog.runs(jobID: fixture.job.id).first)

            let start = Date()
            let released = JobRun(
                externalID: "RS1", jobID: nil, organizationID: fixture.organization.id, kind: .restore, lease: keeper.lease(now: start))
            let held = JobRun(
                externalID: "RS2", jobID: nil, organizationID: fixture.organization.id, kind: .restore, lease: keeper.lease(now: start))
            for run in [released, held] {
                try await fixture.catalog.insertRun(run)
                await keeper.hold(run)
            }
            // Its end could not be recorded: it stays running in the catalog, no longer held.
            await keeper.release(released.id)

            #expect(await keeper.renew(now: start.addingTimeInterval(30)).isEmpty)
            // Leases are stored to the millisecond.
            func expiry(of run: JobRun) async throws -> TimeInterval {
                try #require(try await fixture.catalog.run(id: run.id)?.lease).expiresAt.timeIntervalSince(start)
            }
            #expect(abs(try await expiry(of: held) - 90) < 0.01, "a held run's lease is extended")
            #expect(abs(try await expiry(of: released) - 60) < 0.01, "a released run lapses")
            #expect(try await expiry(of: failedEnqueue) < 61, "a run whose enqueue failed lapses")
        }
    }

    @Test("when renewals fail, a held run is stopped once its lease has lapsed (another process may then take it over), not before")
    func failedRenewalsStopRunsPastTheirLease() async throws {
        let store = ScriptedLeaseStore()
        let keeper = RunLeaseKeeper(catalog: store, policy: Self.policy, logger: .quiet("test"))
        let start = Date()
        let run = Self.run(leasedBy: keeper, now: start)
        await keeper.hold(run)
        let stopped = Flag()
        await keeper.onLoss(of: run.id) { stopped.set() }

        #expect(await Self.renew(keeper, at: start.addingTimeInterval(59), through: store, answering: nil).isEmpty)
        #expect(!stopped.isSet, "its lease still runs")

        #expect(await Self.renew(keeper, at: start.addingTimeInterval(61), through: store, answering: nil) == [run.id])
        #expect(stopped.isSet, "a run past its lease kept working while another process could take it over")
    }
}
