/// How often a held lock is refreshed and when an unrefreshed one is considered abandoned.
public struct LockPolicy: Sendable, Hashable {
    /// How often a holder rewrites its lock object to show it is alive.
    public var refreshInterval: Duration
    /// A lock whose `refreshed` time is older than this is stale: its holder crashed or lost the store. The holder
    /// itself gives the lock up (`RepositoryLock.confirm()` fails) once `staleAfter - 1.5 × refreshInterval` passed
    /// without a successful refresh.
    public var staleAfter: Duration

    /// Refresh every 5 minutes, stale after 30 minutes without a refresh (as restic).
    public static let `default` = LockPolicy(refreshInterval: .seconds(5 * 60), staleAfter: .seconds(30 * 60))

    /// Creates a policy; `staleAfter` should be several times `refreshInterval` so a slow store does not make a live lock stale.
    public init(refreshInterval: Duration, staleAfter: Duration) {
        self.refreshInterval = refreshInterval
        self.staleAfter = staleAfter
    }
}
