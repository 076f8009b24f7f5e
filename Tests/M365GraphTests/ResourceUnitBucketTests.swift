@testable import M365Graph
import NIOHTTP1
import Testing

@Suite("The resource-unit bucket paces a tenant just under its Graph budget")
struct ResourceUnitBucketTests {
    let start = ContinuousClock.now

    func at(_ seconds: Double) -> ContinuousClock.Instant {
        start + ResourceUnitBucket.duration(seconds: seconds)
    }

    @Test("1,250 RU/min at 95%: a full bucket of 31.25 units, then 19.79 units a second")
    func smallTenantArithmetic() {
        var bucket = ResourceUnitBucket(unitsPerMinute: 1_250, targetShare: 0.95, now: start)
        #expect(abs(bucket.targetRate - 1_250 * 0.95 / 60) < 1e-9)
        #expect(abs(bucket.capacity - 31.25) < 1e-9)
        #expect(bucket.reserve(31, now: start) == .zero)
        // 0.75 units of debt: the refill pays it in 0.75 / 19.79 s.
        let wait = bucket.reserve(1, now: start)
        #expect(abs(ResourceUnitBucket.seconds(wait) - 0.75 / bucket.targetRate) < 1e-6)
        // A second waiter queues behind the first: one more unit of refill.
        let next = bucket.reserve(1, now: start)
        #expect(abs(ResourceUnitBucket.seconds(next) - 1.75 / bucket.targetRate) < 1e-6)
        // Two seconds later the debt is paid and the bucket is full again, never more.
        #expect(bucket.reserve(0, now: at(10)) == .zero)
        #expect(bucket.level == bucket.capacity)
    }

    @Test("a sender as greedy as the bucket allows never spends more than the budget in any sliding window, and spends at least 94% of it")
    func greedySenderStaysUnderEverySlidingWindow() {
        var bucket = ResourceUnitBucket(unitsPerMinute: 1_250, targetShare: 0.95, now: start)
        // Requests of 1, 2 and 5 units back to back, each sent when the bucket says so: five minutes of traffic.
        var sent: [(at: Double, units: Int)] = []
        var now = 0.0
        var index = 0
        let costs = [1, 1, 1, 2, 1, 5, 1, 2]
        while now < 300 {
            let units = costs[index % costs.count]
            index += 1
            now += ResourceUnitBucket.seconds(bucket.reserve(units, now: at(now)))
            sent.append((now, units))
        }
        var busiest = 0
        var windowStart = 0
        var inWindow = 0
        for entry in sent {
            inWindow += entry.units
            while sent[windowStart].at <= entry.at - 60 {
                inWindow -= sent[windowStart].units
                windowStart += 1
            }
            busiest = max(busiest, inWindow)
        }
        #expect(busiest <= 1_250)
        let total = sent.filter { $0.at < 300 }.reduce(0) { $0 + $1.units }
        #expect(Double(total) >= 0.94 * 1_250 * 5)
    }

    @Test("the cost Graph reports corrects the reservation")
    func correctionByReportedCost() {
        var bucket = ResourceUnitBucket(unitsPerMinute: 1_250, targetShare: 0.95, now: start)
        _ = bucket.reserve(1, now: start)
        bucket.correct(reserved: 1, charged: 5, now: start)
        #expect(bucket.level == bucket.capacity - 5)
        bucket.correct(reserved: 2, charged: 1, now: start)
        #expect(bucket.level == bucket.capacity - 4)
    }

    @Test("throttling empties the bucket and slows the refill to 70%; one window later the rate is back")
    func throttlingLowersTheRate() {
        var bucket = ResourceUnitBucket(unitsPerMinute: 1_250, targetShare: 0.95, now: start)
        bucket.throttled(now: start)
        #expect(bucket.level == 0)
        #expect(abs(bucket.rate - bucket.targetRate * 0.7) < 1e-9)
        bucket.throttled(now: start)
        #expect(abs(bucket.rate - bucket.targetRate * 0.49) < 1e-9)
        for _ in 0..<20 { bucket.throttled(now: start) }
        #expect(bucket.rate == bucket.floorRate)
        _ = bucket.reserve(0, now: at(60))
        #expect(abs(bucket.rate - bucket.targetRate) < 1e-9)
    }

    @Test("a changed budget goes on from what was spent and from throttling's slowdown: it never refills the bucket at once")
    func changedBudgetContinues() {
        var bucket = ResourceUnitBucket(unitsPerMinute: 1_250, targetShare: 0.95, now: start)
        _ = bucket.reserve(31, now: start)
        bucket.throttled(now: start)
        let doubled = ResourceUnitBucket(continuing: bucket, unitsPerMinute: 2_500, targetShare: 0.95, window: .seconds(60), now: start)
        #expect(doubled.level <= 0.25 + 1e-9, "what the old budget spent stays spent: \(doubled.level)")
        #expect(abs(doubled.rate - doubled.targetRate * 0.7) < 1e-9, "throttling's slowdown carries over")
        var back = ResourceUnitBucket(continuing: doubled, unitsPerMinute: 1_250, targetShare: 0.95, window: .seconds(60), now: start)
        #expect(back.level <= 0.25 + 1e-9)
        #expect(back.reserve(5, now: start) > .zero, "switching back and forth between two budgets lets no burst through")
    }

    @Test("RateLimit-Remaining caps the bucket; nothing left means waiting for RateLimit-Reset")
    func rateLimitHeaders() {
        var bucket = ResourceUnitBucket(unitsPerMinute: 1_250, targetShare: 0.95, now: start)
        bucket.observe(remaining: 12, resetSeconds: 20, unitsInFlight: 4, now: start)
        #expect(bucket.level == 8)
        bucket.observe(remaining: 40, resetSeconds: 20, unitsInFlight: 0, now: start)
        #expect(bucket.level == 8, "a generous answer never fills the bucket")
        bucket.observe(remaining: 2, resetSeconds: 10, unitsInFlight: 3, now: start)
        let wait = bucket.reserve(1, now: start)
        #expect(ResourceUnitBucket.seconds(wait) >= 10)
    }

    @Test("hostile x-ms-resource-unit values: a huge charge costs 1,000 units and a bounded wait, a negative one never overfills")
    func hostileReportedCosts() {
        var bucket = ResourceUnitBucket(unitsPerMinute: 1_250, targetShare: 0.95, now: start)
        bucket.correct(reserved: 1, charged: -1_000_000, now: start)
        #expect(bucket.level == bucket.capacity, "a negative charge refunds at most the reservation, within capacity")
        bucket.correct(reserved: 1, charged: Int.max, now: start)
        #expect(bucket.level == bucket.capacity - 999)
        bucket.correct(reserved: Int.min, charged: Int.max, now: start)
        #expect(bucket.level == bucket.capacity - 1_999)
        let wait = bucket.reserve(1, now: start)
        #expect(wait > .zero)
        #expect(wait <= ResourceUnitBucket.maximumDelay)
    }

    @Test("hostile RateLimit headers: a reset years away waits one window at most, a negative remaining owes one window")
    func hostileRateLimitHeaders() {
        var bucket = ResourceUnitBucket(unitsPerMinute: 1_250, targetShare: 0.95, now: start)
        bucket.observe(remaining: 0, resetSeconds: 99_999_999_999, unitsInFlight: 0, now: start)
        let wait = ResourceUnitBucket.seconds(bucket.reserve(0, now: start))
        #expect(abs(wait - 60) < 1e-6)

        var negative = ResourceUnitBucket(unitsPerMinute: 1_250, targetShare: 0.95, now: start)
        negative.observe(remaining: Int.min, resetSeconds: nil, unitsInFlight: 7, now: start)
        #expect(abs(ResourceUnitBucket.seconds(negative.reserve(0, now: start)) - 60) < 1e-6)

        var pastReset = ResourceUnitBucket(unitsPerMinute: 1_250, targetShare: 0.95, now: start)
        pastReset.observe(remaining: 0, resetSeconds: -50, unitsInFlight: 0, now: start)
        #expect(pastReset.reserve(0, now: start) == .zero)
    }

    @Test("every computed delay is bounded before it becomes a Duration")
    func delayConversionIsBounded() {
        #expect(ResourceUnitBucket.duration(seconds: 1e30) == ResourceUnitBucket.maximumDelay)
        #expect(ResourceUnitBucket.duration(seconds: .infinity) == ResourceUnitBucket.maximumDelay)
        #expect(ResourceUnitBucket.duration(seconds: .nan) == .zero)
        #expect(ResourceUnitBucket.duration(seconds: -3) == .zero)
    }

    @Test("a shorter window keeps the rate per minute and shrinks the bucket with it")
    func shortWindow() {
        let bucket = ResourceUnitBucket(unitsPerMinute: 3_000, targetShare: 0.95, window: .seconds(4), now: start)
        #expect(abs(bucket.targetRate - 47.5) < 1e-9)
        #expect(abs(bucket.capacity - 5) < 1e-9)
    }

    @Test("Graph's costs: 1 for reads and deltas with a token, 2 for deltas from scratch and writes, 5 for permissions")
    func costModel() {
        let base = "https://graph.microsoft.com/v1.0/drives/b!x"
        #expect(ResourceUnitCost.estimate(method: .GET, url: "\(base)/items/1/content") == 1)
        #expect(ResourceUnitCost.estimate(method: .GET, url: "\(base)/root/delta?$top=200") == 2)
        #expect(ResourceUnitCost.estimate(method: .GET, url: "\(base)/root/delta?token=abc&$top=200") == 1)
        #expect(ResourceUnitCost.estimate(method: .PUT, url: "\(base)/items/1:/a.txt:/content") == 2)
        #expect(ResourceUnitCost.estimate(method: .GET, url: "\(base)/items/1/permissions") == 5)
    }
}
