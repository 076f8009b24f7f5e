import Foundation
import LifeboatModel

/// The leases of queued and running runs: who works on each run, renewed by its owner's heartbeat and taken over only
/// from the lease a claimant saw. What `RunLeaseKeeper` and the recovery of abandoned runs need of the catalog.
public protocol RunLeaseStore: Sendable {
    /// Extends to `expiresAt` the leases of those of `runIDs` that are queued or running and that `ownerID` still holds
    /// (the owner's heartbeat, for the runs it works on, never for runs it let go of).
    /// - Returns: the ids of the runs renewed; one of `runIDs` missing from the answer ended or was claimed.
    func renewRunLeases(_ runIDs: Set<UUID>, ownerID: UUID, until expiresAt: Date) async throws -> Set<UUID>
    /// Gives a queued or running run to `lease`'s owner if its lease is still `expected` (nil: it has none), atomically,
    /// so that one process at most takes over a run judged abandoned, and never one whose owner renewed meanwhile.
    /// - Returns: whether the run was claimed.
    func claimRun(id: UUID, expecting expected: RunLease?, lease: RunLease) async throws -> Bool
}
