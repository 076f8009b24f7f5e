import Synchronization

/// Why a run's task was cancelled (`SIGTERM`, `SIGINT`, a shutdown), told by whoever cancels it so that the run's error
/// log says why it stopped.
public final class RunInterruption: Sendable {
    private let recorded = Mutex<String?>(nil)

    /// Creates an interruption with no reason yet.
    public init() {}

    /// Records the reason; the first one recorded is kept.
    public func record(_ reason: String) {
        recorded.withLock { $0 = $0 ?? reason }
    }

    /// The reason recorded, if any.
    public var reason: String? { recorded.withLock { $0 } }
}
