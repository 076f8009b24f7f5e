/// One tenant's resource-unit bucket, shared by every request of every client of the tenant (see `ResourceUnitBucket`).
///
/// Without a budget it paces nothing but still counts what Graph reports, so a run can tell what it spent.
actor ResourceUnitPacer {
    /// A request's claim on the budget, settled when its answer arrives.
    struct Reservation: Sendable {
        let units: Int
    }

    private var bucket: ResourceUnitBucket?
    private var pacing: GraphPacing
    private var unitsInFlight = 0

    /// Creates a pacer for `pacing`'s budget, full.
    init(pacing: GraphPacing) {
        self.pacing = pacing
        self.bucket = Self.bucket(for: pacing)
    }

    /// Starts pacing to a changed budget (the organization's configuration changed); what the old budget spent stays
    /// spent (see `ResourceUnitBucket.init(continuing:...)`), so changing it never lets a burst through.
    func update(_ newPacing: GraphPacing) {
        guard newPacing.resourceUnitsPerMinute != pacing.resourceUnitsPerMinute || newPacing.targetShare != pacing.targetShare
            || newPacing.window != pacing.window
        else { return }
        pacing = newPacing
        if let previous = bucket, let unitsPerMinute = newPacing.resourceUnitsPerMinute {
            bucket = ResourceUnitBucket(
                continuing: previous, unitsPerMinute: unitsPerMinute, targetShare: newPacing.targetShare, window: newPacing.window,
                now: .now)
        } else {
            bucket = Self.bucket(for: newPacing)
        }
    }

    /// Reserves `units` and returns once the budget allows sending them.
    func reserve(_ units: Int) async throws -> Reservation {
        unitsInFlight += units
        if let delay = bucket?.reserve(units, now: .now), delay > .zero {
            do {
                try await Task.sleep(for: delay)
            } catch {
                unitsInFlight -= units
                throw error
            }
        }
        return Reservation(units: units)
    }

    /// Settles a reservation with what the answer said: its real cost and Graph's view of the window.
    /// - Parameters:
    ///   - charged: `x-ms-resource-unit`, when given.
    ///   - remaining: `RateLimit-Remaining`, when given; `resetSeconds` is `RateLimit-Reset`.
    ///   - throttled: Graph answered 429 (or 503 with `Retry-After`).
    func settle(_ reservation: Reservation, charged: Int?, remaining: Int?, resetSeconds: Int?, throttled: Bool) {
        unitsInFlight -= reservation.units
        guard var current = bucket else { return }
        let now = ContinuousClock.now
        if let charged, charged != reservation.units {
            current.correct(reserved: reservation.units, charged: charged, now: now)
        }
        if throttled {
            current.throttled(now: now)
        } else if let remaining {
            current.observe(remaining: remaining, resetSeconds: resetSeconds, unitsInFlight: unitsInFlight, now: now)
        }
        bucket = current
    }

    /// Gives back a reservation whose request never reached Graph (it failed to connect).
    func cancel(_ reservation: Reservation) {
        unitsInFlight -= reservation.units
    }

    /// Units a second the bucket refills at now; nil when unpaced.
    var currentRate: Double? { bucket?.rate }

    private static func bucket(for pacing: GraphPacing) -> ResourceUnitBucket? {
        pacing.resourceUnitsPerMinute.map { ResourceUnitBucket(unitsPerMinute: $0, targetShare: pacing.targetShare, window: pacing.window, now: .now) }
    }
}
