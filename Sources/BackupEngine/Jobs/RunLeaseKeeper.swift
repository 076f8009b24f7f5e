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
/// every `policy.renewalInterval` while any is held, in one statement for all of them.
///
/// A process that dies stops renewing: its runs' leases lapse and any other process may end them (see
/// `InterruptedRunRecovery`). One keeper per process is enough; runners sharing it share its owner id.
public actor RunLeaseKeeper {
    /// This process as the owner of the runs it leases.
    public nonisolated let owner: RunOwner
    /// How long leases last and how often they are renewed.
    public nonisolated let policy: RunLeasePolicy
    private let catalog: any CatalogStore
    private let logger: Logger
    private var held: Set<UUID> = []
    private var lossHandlers: [UUID: @Sendable () -> Void] = [:]
    private var renewal: Task<Void, Never>?

    /// Creates a keeper holding no run yet.
    /// - Parameters:
    ///   - owner: who this process is (this process, under a fresh id, by default).
    ///   - policy: lease length and renewal interval (tests shorten them).
    public init(
        catalog: any CatalogStore, owner: RunOwner = .currentProcess(), policy: RunLeasePolicy = .default, logger: Logger
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

    /// Renews the run's lease until `release(_:)`; call it once the run is inserted with `lease(now:)`.
    public func hold(_ runID: UUID) {
        held.insert(runID)
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
        lossHandlers[runID] = nil
        if held.isEmpty {
            renewal?.cancel()
            renewal = nil
        }
    }

    /// Renews the leases of every run this owner holds in the catalog now; returns the held runs that were not renewed
    /// (they ended, or another process ended them as abandoned) and stops holding them.
    ///
    /// A catalog that cannot be written (a full disk) is logged and retried at the next interval; meanwhile the leases
    /// run down, so if this process cannot record its runs' end either, another process can once they lapse.
    @discardableResult
    public func renew(now: Date = Date()) async -> Set<UUID> {
        let renewed: Set<UUID>
        do {
            renewed = try await catalog.renewRunLeases(ownerID: owner.id, until: lease(now: now).expiresAt)
        } catch {
            logger.warning(
                "Could not renew the leases of this process's runs", metadata: ["lifeboat.error": "\(error)"])
            return []
        }
        let lost = held.subtracting(renewed)
        for runID in lost {
            logger.warning("A run of this process lost its lease: another process ended it", metadata: ["lifeboat.run.id": "\(runID)"])
            let handler = lossHandlers[runID]
            release(runID)
            handler?()
        }
        return lost
    }
}
