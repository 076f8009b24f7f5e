@testable import M365Graph
import Testing

@Suite("Adaptive concurrency grows while answers are clean and halves on 429/503")
struct ConcurrencyLimiterTests {
    @Test("starts at 4 places: a fifth waits")
    func initialLimit() async throws {
        let limiter = ConcurrencyLimiter(ceiling: 16)
        var permits: [ConcurrencyLimiter.Permit] = []
        for _ in 0..<4 { permits.append(try #require(await limiter.tryAcquire())) }
        #expect(await limiter.tryAcquire() == nil)
        await limiter.release(permits.removeLast())
        #expect(await limiter.tryAcquire() != nil)
    }

    @Test("about a round of clean answers (1/limit each) adds one place, up to the ceiling")
    func additiveIncrease() async throws {
        let limiter = ConcurrencyLimiter(ceiling: 6)
        let permit = try #require(await limiter.tryAcquire())
        for _ in 0..<4 { await limiter.record(.clean, under: permit) }
        #expect(await limiter.limit < 5, "four answers add 1/4 + 1/4.25 + ...: just under one place")
        await limiter.record(.clean, under: permit)
        #expect(Int(await limiter.limit) == 5)
        for _ in 0..<4 { #expect(await limiter.tryAcquire() != nil) }
        #expect(await limiter.tryAcquire() == nil, "five places in flight")
        for _ in 0..<100 { await limiter.record(.clean, under: permit) }
        #expect(await limiter.limit == 6)
    }

    @Test("429s of one round halve the limit once; a later round halves again, never below one")
    func multiplicativeDecrease() async throws {
        let limiter = ConcurrencyLimiter(ceiling: 16, initial: 8)
        let first = try #require(await limiter.tryAcquire())
        let second = try #require(await limiter.tryAcquire())
        await limiter.record(.overloaded, under: first)
        await limiter.record(.overloaded, under: second)
        #expect(await limiter.limit == 4, "both answers belong to the round before the cut")
        await limiter.release(first)
        await limiter.release(second)
        for _ in 0..<5 {
            let later = try #require(await limiter.tryAcquire())
            await limiter.record(.overloaded, under: later)
            await limiter.release(later)
        }
        #expect(await limiter.limit == 1)
    }

    @Test("a waiter gets the place a release frees, in arrival order")
    func waiterWakesOnRelease() async throws {
        let limiter = ConcurrencyLimiter(ceiling: 1, initial: 1)
        let held = try #require(await limiter.tryAcquire())
        let waiting = Task { await limiter.acquire() }
        // The waiter is queued once the limiter refuses newcomers even after the release below hands the place on.
        while await limiter.waiterCount == 0 { await Task.yield() }
        await limiter.release(held)
        _ = await waiting.value
        #expect(await limiter.inFlight == 1)
        #expect(await limiter.tryAcquire() == nil)
    }
}
