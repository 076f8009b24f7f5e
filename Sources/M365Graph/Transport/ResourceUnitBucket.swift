/// The arithmetic of pacing one tenant's Graph budget: a token bucket of resource units refilled at just under the
/// budget, which requests draw from before they are sent.
///
/// Graph counts units over a sliding window (a minute). A bucket of capacity `C` refilled at `r` units a second
/// spends at most `C + r·window` in any window, so with `r` at 95% of the budget the capacity is kept at half of the
/// remaining 5% (and at least 5, a permissions call): the other half absorbs the skew between when a request is
/// reserved and when Graph counts it.
///
/// A reservation may overdraw the bucket: it then waits until the refill has paid its debt, so concurrent callers are
/// served in the order they reserved. Time is passed in, never read, so tests drive it deterministically.
struct ResourceUnitBucket: Sendable {
    /// Units a second the bucket refills at when Graph has not throttled lately: `targetShare` of the budget.
    let targetRate: Double
    /// Most units the bucket holds.
    let capacity: Double
    /// Lowest rate throttling can push the refill to (a tenth of the target).
    let floorRate: Double
    /// How long the refill takes to climb back from the floor to the target after throttling: one window.
    let recoveryPeriod: Duration

    /// Units a second the bucket refills at now.
    private(set) var rate: Double
    /// Units available now; negative while reservations wait for the refill.
    private(set) var level: Double
    private var updatedAt: ContinuousClock.Instant
    /// `recoveryPeriod` in seconds: the longest `RateLimit-Reset` taken in, since Graph's window is no longer.
    private let windowSeconds: Double

    /// Most units one request is taken to cost, whatever `x-ms-resource-unit` says (Graph's dearest call costs 5).
    static let maximumCharge = 1_000
    /// Longest wait the bucket ever asks for; what headers claim beyond it is hostile or broken.
    static let maximumDelay: Duration = .seconds(3_600)

    /// A full bucket pacing to `targetShare` of `unitsPerMinute`, which Graph counts over `window`.
    init(unitsPerMinute: Int, targetShare: Double, window: Duration = .seconds(60), now: ContinuousClock.Instant) {
        let perSecond = Double(max(1, unitsPerMinute)) / 60
        targetRate = perSecond * targetShare
        capacity = max(5, perSecond * Self.seconds(window) * (1 - targetShare) / 2)
        recoveryPeriod = window
        windowSeconds = max(0, Self.seconds(window))
        floorRate = targetRate / 10
        rate = targetRate
        level = capacity
        updatedAt = now
    }

    /// The bucket of a changed budget that goes on from `previous`: what was spent stays spent (the level is kept,
    /// within the new capacity) and throttling's slowdown stays in force (the rate keeps its share of the target), so
    /// a change, or two organizations of one tenant that disagree about its budget, never refills the bucket at once.
    init(continuing previous: ResourceUnitBucket, unitsPerMinute: Int, targetShare: Double, window: Duration, now: ContinuousClock.Instant) {
        var previous = previous
        previous.refill(now)
        self.init(unitsPerMinute: unitsPerMinute, targetShare: targetShare, window: window, now: now)
        level = min(capacity, previous.level)
        rate = max(floorRate, min(targetRate, targetRate * previous.rate / previous.targetRate))
    }

    /// Takes `units` for a request about to be sent and returns how long it must wait before sending.
    mutating func reserve(_ units: Int, now: ContinuousClock.Instant) -> Duration {
        refill(now)
        level -= Double(Self.clampedCharge(units))
        return level >= 0 ? .zero : Self.duration(seconds: -level / rate)
    }

    /// Settles a request whose answer told its real cost (`x-ms-resource-unit`), taken as `0...maximumCharge`; the
    /// bucket never holds more than its capacity.
    mutating func correct(reserved: Int, charged: Int, now: ContinuousClock.Instant) {
        refill(now)
        level = min(capacity, level - Double(Self.clampedCharge(charged)) + Double(Self.clampedCharge(reserved)))
    }

    /// Takes in Graph's `RateLimit-Remaining` and `RateLimit-Reset`: never hold more than Graph says is left (less what
    /// is reserved and not yet answered), and when nothing is left, send nothing before the reset.
    mutating func observe(remaining: Int, resetSeconds: Int?, unitsInFlight: Int, now: ContinuousClock.Instant) {
        refill(now)
        let left = Double(remaining) - Double(unitsInFlight)
        if left <= 0, let resetSeconds {
            // Graph's window is the longest a reset can be away.
            level = min(level, -rate * min(windowSeconds, Double(max(0, resetSeconds))))
        } else {
            // Never owe more than a window of refill, whatever a hostile `RateLimit-Remaining` claims.
            level = min(level, max(left, -rate * windowSeconds))
        }
    }

    /// Graph throttled anyway: the budget is smaller than configured or shared with someone else, so the refill
    /// slows to 70% of its rate and what the bucket held is dropped.
    mutating func throttled(now: ContinuousClock.Instant) {
        refill(now)
        rate = max(floorRate, rate * 0.7)
        level = min(level, 0)
    }

    /// Adds what the refill brought since the last update; the rate climbs back toward the target linearly.
    private mutating func refill(_ now: ContinuousClock.Instant) {
        guard now > updatedAt else { return }
        let elapsed = Self.seconds(now - updatedAt)
        let recovered = min(targetRate, rate + (targetRate - floorRate) * elapsed / Self.seconds(recoveryPeriod))
        // The refill over the interval at the mean of the old and new rates (the rate climbs linearly).
        level = min(capacity, level + (rate + recovered) / 2 * elapsed)
        rate = recovered
        updatedAt = now
    }

    static func seconds(_ duration: Duration) -> Double {
        let (seconds, attoseconds) = duration.components
        return Double(seconds) + Double(attoseconds) / 1e18
    }

    /// `seconds` as a duration, within `0...maximumDelay` (NaN is zero), so no header value can overflow it.
    static func duration(seconds: Double) -> Duration {
        let limit = Self.seconds(maximumDelay)
        let bounded = seconds.isNaN ? 0 : min(limit, max(0, seconds))
        return .nanoseconds(Int64((bounded * 1e9).rounded(.up)))
    }

    private static func clampedCharge(_ units: Int) -> Int {
        min(maximumCharge, max(0, units))
    }
}
