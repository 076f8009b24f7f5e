import BackupEngine
import Foundation
import Synchronization

/// A wall clock that moves only when a test moves it: sleepers wake when `advance` passes their instant, so a month of
/// schedules runs in milliseconds and in a known order.
public final class ManualWallClock: WallClock {
    private struct Sleeper {
        var id: Int
        var until: Date
        var continuation: CheckedContinuation<Void, any Error>
    }

    private struct State {
        var now: Date
        var sleepers: [Sleeper] = []
        var nextID = 0
    }

    private let state: Mutex<State>

    /// A clock reading `start`.
    public init(start: Date) {
        state = Mutex(State(now: start))
    }

    /// The instant the clock reads.
    public func now() -> Date { state.withLock { $0.now } }

    /// How many tasks are sleeping on the clock: a test waits for the scheduler to be asleep before it moves the clock.
    public var sleeperCount: Int { state.withLock { $0.sleepers.count } }

    /// Suspends until the clock is moved to `instant` or past it; throws `CancellationError` when cancelled first.
    public func sleep(until instant: Date) async throws {
        let id = state.withLock { state -> Int in
            state.nextID += 1
            return state.nextID
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let resumeNow = state.withLock { state -> Bool in
                    if instant <= state.now { return true }
                    if Task.isCancelled { return true }
                    state.sleepers.append(Sleeper(id: id, until: instant, continuation: continuation))
                    return false
                }
                if resumeNow { continuation.resume() }
            }
            try Task.checkCancellation()
        } onCancel: {
            let cancelled = state.withLock { state -> Sleeper? in
                guard let index = state.sleepers.firstIndex(where: { $0.id == id }) else { return nil }
                return state.sleepers.remove(at: index)
            }
            cancelled?.continuation.resume(throwing: CancellationError())
        }
    }

    /// Moves the clock to `instant` (never backwards) and wakes every sleeper whose instant it reached.
    public func advance(to instant: Date) {
        let woken = state.withLock { state -> [Sleeper] in
            state.now = max(state.now, instant)
            let now = state.now
            let due = state.sleepers.filter { $0.until <= now }
            state.sleepers.removeAll { $0.until <= now }
            return due
        }
        for sleeper in woken { sleeper.continuation.resume() }
    }

    /// Moves the clock forward by `interval`.
    public func advance(by interval: TimeInterval) {
        advance(to: now().addingTimeInterval(interval))
    }
}
