/// Adaptive concurrency for one tenant (AIMD): allows `limit` requests or transfers in flight, adds one to the limit per
/// round of clean answers (1/limit per answer) up to a ceiling, and halves it when Graph throttles or is unavailable
/// (429/503), once per round: answers to requests sent before the last cut do not cut again.
///
/// Waiters are served in arrival order. Waiting is not interrupted by cancellation; a cancelled task gets its permit
/// once others finish and should release it at once.
actor ConcurrencyLimiter {
    /// A claim on one place in flight; give it back with `release(_:)`.
    struct Permit: Sendable {
        /// The cut count when the permit was granted, so that answers of one round cut once.
        let generation: Int
    }

    /// How an answer went, for the limit.
    enum Signal: Sendable {
        /// Graph answered (any status but the two below).
        case clean
        /// 429 or 503: too much at once.
        case overloaded
    }

    /// Places in flight allowed now (the integer part of the limit counts).
    private(set) var limit: Double
    /// Most places the limit may grow to.
    private(set) var ceiling: Int
    /// Places in use.
    private(set) var inFlight = 0
    private var generation = 0
    private var waiters: [CheckedContinuation<Permit, Never>] = []

    /// Creates a limiter starting at `initial` (at most `ceiling`) places.
    init(ceiling: Int, initial: Int = 4) {
        self.ceiling = max(1, ceiling)
        self.limit = Double(min(max(1, initial), max(1, ceiling)))
    }

    /// Changes the ceiling (configuration changed); the limit is cut to it when above.
    func update(ceiling newCeiling: Int) {
        ceiling = max(1, newCeiling)
        limit = min(limit, Double(ceiling))
        wakeWaiters()
    }

    /// Takes a place, waiting for one to free up.
    func acquire() async -> Permit {
        if let permit = tryAcquire() { return permit }
        return await withCheckedContinuation { waiters.append($0) }
    }

    /// Takes a place when one is free now and nobody waits before; nil otherwise.
    func tryAcquire() -> Permit? {
        guard waiters.isEmpty, inFlight < allowed else { return nil }
        inFlight += 1
        return Permit(generation: generation)
    }

    /// Gives a place back.
    func release(_ permit: Permit) {
        inFlight -= 1
        wakeWaiters()
    }

    /// Adjusts the limit to an answer received under `permit`.
    func record(_ signal: Signal, under permit: Permit) {
        switch signal {
        case .clean:
            limit = min(Double(ceiling), limit + 1 / limit)
            wakeWaiters()
        case .overloaded:
            guard permit.generation == generation else { return }
            generation += 1
            limit = max(1, limit / 2)
        }
    }

    /// Tasks waiting for a place.
    var waiterCount: Int { waiters.count }

    private var allowed: Int { max(1, Int(limit)) }

    private func wakeWaiters() {
        while !waiters.isEmpty, inFlight < allowed {
            inFlight += 1
            waiters.removeFirst().resume(returning: Permit(generation: generation))
        }
    }
}
