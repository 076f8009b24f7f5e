import Foundation

/// The time of day the scheduler reads and waits on; injected so that tests run a month of schedules in milliseconds.
public protocol WallClock: Sendable {
    /// The current instant.
    func now() -> Date
    /// Returns at `instant` (at once when it has passed); throws `CancellationError` when the task is cancelled.
    func sleep(until instant: Date) async throws
}

/// The system's clock.
public struct SystemWallClock: WallClock {
    /// Creates the system clock.
    public init() {}

    /// The current instant.
    public func now() -> Date { Date() }

    /// Sleeps until `instant`, measured against the system clock.
    public func sleep(until instant: Date) async throws {
        let seconds = instant.timeIntervalSinceNow
        guard seconds > 0 else { return }
        try await Task.sleep(for: .milliseconds(Int64((seconds * 1_000).rounded(.up))))
    }
}
