/// Pauses every request to a tenant after Graph asks for it (429/503 with `Retry-After`).
///
/// Graph throttles per app and tenant, so one throttled call means every call should wait.
actor ThrottleGate {
    /// When the current pause ends; nil when the tenant was never paused.
    private(set) var pausedUntil: ContinuousClock.Instant?

    /// Returns once the tenant is no longer paused.
    func waitUntilOpen() async throws {
        while let until = pausedUntil, until > .now {
            try await Task.sleep(until: until, clock: .continuous)
        }
    }

    /// Pauses the tenant for `duration` from now, unless it is already paused for longer.
    func pause(for duration: Duration) {
        let until = ContinuousClock.now + duration
        if let current = pausedUntil, current >= until { return }
        pausedUntil = until
    }
}
