import Catalog
import Foundation
import LifeboatModel
import Logging

/// How long a run's lease lasts without renewal, and how often its owner renews it.
public struct RunLeasePolicy: Sendable, Hashable {
    /// Time between two renewals.
    public var renewalInterval: Duration
    /// How long a lease lasts from its last renewal; several renewal intervals, so one slow catalog write does not
    /// make a live run look abandoned.
    public var duration: Duration

    /// Renewed every 10 s, lapsing after 60 s without renewal.
    public static let `default` = RunLeasePolicy(renewalInterval: .seconds(10), duration: .seconds(60))

    /// Creates a policy.
    public init(renewalInterval: Duration, duration: Duration) {
        self.renewalInterval = renewalInterval
        self.duration = duration
    }

    /// When a lease taken or renewed at `now` lapses.
    public func expiry(from now: Date) -> Date {
        let (seconds, attoseconds) = duration.components
        return now.addingTimeInterval(TimeInterval(seconds) + TimeInterval(attoseconds) / 1e18)
    }
}

/// The leases this process holds on its queued and running runs (backup, restore, export), renewed in the catalog
/// every `policy.renewalInterval` while any is held, in one statement for all of them (and only for them: a run this
/// process let go of, whose end it may have failed to record, lapses so that another process can end it).
///
/// A process that dies stops renewing: its runs' leases lapse and any other process may end them (see
/// `InterruptedRunRecovery`). One keeper per process is enough; runners sharing it share its owner id.
public actor RunLeaseKeeper {
    /// This process as the owner of the runs it leases.
    public nonisolated let owner: RunOwner
    /// How long leases last and how often they are renewed.
    public nonisolated let policy: RunLeasePolicy
    private let catalog: any RunLeaseStore
    private let logger: Logger
    private var held: Set<UUID> = []
    /// When the lease of each held run lapses unless renewed: as inserted, then as last renewed.
    private var expiries: [UUID: Date] = [:]
    private var lossHandlers: [UUID: @Sendable () -> Void] = [:]
    private var renewal: Task<Void, Never>?

    /// Creates a keeper holding no run yet.
    /// - Parameters:
    ///   - owner: who this process is (this process, under a fresh id, by default).
    ///   - policy: lease length and renewal interval (tests shorten them).
    public init(
        catalog: any RunLeaseStore, owner: RunOwner = .currentProcess(), policy: RunLeasePolicy = .default, logger: Logger
    ) {
        self.catalog = catalog
        self.owner = owner
        self.policy = policy
        self.logger = logger
    }

    deinit {
        renewal?.cancel()
    }

    /// A lease of this process's owner lasting `policy.duration` from `now`, to record with a run it inserts.
    public nonisolated func lease(now: Date = Date()) -> RunLease {
        RunLease(owner: owner, expiresAt: policy.expiry(from: now))
    }

    /// Renews the run's lease until `release(_:)`; call it once the run is inserted with a lease from `lease(now:)`.
    public func hold(_ run: JobRun) {
        held.insert(run.id)
        expiries[run.id] = run.lease?.expiresAt ?? policy.expiry(from: Date())
        guard renewal == nil else { return }
        let interval = policy.renewalInterval
        renewal = Task { [weak self] in
            while !Task.isCancelled {
                try? await Task.sleep(for: interval)
                guard !Task.isCancelled, let self else { return }
                await self.renew()
            }
        }
    }

    /// Calls `handler` once if a renewal finds that the held run's lease was lost (another process ended or claimed the
    /// run); its work must then stop, since the run is no longer this process's.
    public func onLoss(of runID: UUID, _ handler: @escaping @Sendable () -> Void) {
        guard held.contains(runID) else { return handler() }
        lossHandlers[runID] = handler
    }

    /// Stops renewing the run's lease (it ended); its lease lapses unrenewed, which no longer matters once it ended.
    public func release(_ runID: UUID) {
        held.remove(runID)
        expiries[runID] = nil
        lossHandlers[runID] = nil
        if held.isEmpty {
            renewal?.cancel()
            renewal = nil
        }
    }

    /// Renews the leases of the runs this process holds, in the catalog now; returns the held runs that were lost and
    /// stops holding them, calling their loss handlers: those not renewed (they ended, or another process ended them as
    /// abandoned), and, when the catalog cannot be written, those whose lease has lapsed meanwhile.
    ///
    /// A catalog that cannot be written (a full disk) is logged and retried at the next interval; meanwhile the leases
    /// run down, and once one lapsed another process may take its run over, so its work stops here.
    @discardableResult
    public func renew(now: Date = Date()) async -> Set<UUID> {
        // Runs held from here on were inserted with a fresh lease: they are not this renewal's to judge (the actor may
        // run `hold` while the statement below is under way).
        let renewing = held
        let expiresAt = lease(now: now).expiresAt
        let lost: Set<UUID>
        do {
            let renewed = try await catalog.renewRunLeases(renewing, ownerID: owner.id, until: expiresAt)
            lost = renewing.subtracting(renewed).intersection(held)
            for runID in renewed where held.contains(runID) { expiries[runID] = expiresAt }
        } catch {
            logger.warning(
                "Could not renew the leases of this process's runs", metadata: ["lifeboat.error": "\(error)"])
            lost = Set(renewing.filter { runID in held.contains(runID) && expiries[runID].map { $0 <= now } ?? false })
        }
        for runID in lost {
            logger.warning(
                "A run of this process lost its lease: another process ended it, or may now", metadata: ["lifeboat.run.id": "\(runID)"])
            let handler = lossHandlers[runID]
            release(runID)
            handler?()
        }
        return lost
    }
}
