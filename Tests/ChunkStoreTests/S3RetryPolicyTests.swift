import Testing

@testable import ChunkStore

@Suite("S3RetryPolicy")
struct S3RetryPolicyTests {
    @Test("backoff ceilings double from the base delay up to the cap, with jitter below the ceiling", arguments: 1...8)
    func exponentialCeiling(retry: Int) {
        let policy = S3RetryPolicy(maximumAttempts: 9, baseDelay: .milliseconds(100), maximumDelay: .seconds(5))
        let ceiling = min(Duration.seconds(5), .milliseconds(100) * (1 << (retry - 1)))
        var generator = SeededGenerator(seed: UInt64(retry))
        let delays = (0..<200).map { _ in policy.delay(beforeRetry: retry, using: &generator) }
        #expect(delays.allSatisfy { $0 >= .zero && $0 <= ceiling })
        #expect(delays.contains { $0 > ceiling / 2 }, "jitter spreads across the whole window")
        #expect(Set(delays).count > 100, "delays are randomized")
    }

    @Test("server errors, throttling and timeouts are retried; client errors are not")
    func retryableStatuses() {
        let policy = S3RetryPolicy.default
        #expect([500, 502, 503, 504, 429, 408].allSatisfy(policy.shouldRetry(status:)))
        #expect(![200, 206, 400, 403, 404, 409, 412, 416].contains(where: policy.shouldRetry(status:)))
    }
}
