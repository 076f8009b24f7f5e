import Foundation
import M365Graph
import Testing

@Suite("Retry-After: delay-seconds and HTTP-dates")
struct RetryAfterTests {
    /// Wed, 21 Oct 2015 07:28:00 GMT.
    static let instant = Date(timeIntervalSince1970: 1_445_412_480)

    @Test(
        "a header is read as the pause it asks for",
        arguments: [
            ("120", Duration.seconds(120)),
            (" 0 ", Duration.zero),
            ("Wed, 21 Oct 2015 07:28:30 GMT", Duration.seconds(30)),
            ("Wednesday, 21-Oct-15 07:29:00 GMT", Duration.seconds(60)),
            ("Wed Oct 21 07:28:05 2015", Duration.seconds(5)),
            ("Wed, 21 Oct 2015 07:27:00 GMT", Duration.zero),
        ])
    func parses(header: String, delay: Duration) throws {
        let retryAfter = try #require(RetryAfter(header, now: Self.instant))
        #expect(retryAfter.delay == delay)
    }

    @Test("anything else is not a Retry-After", arguments: ["", "-5", "soon", "1.5", "21 Oct 2015"])
    func rejects(header: String) {
        #expect(RetryAfter(header, now: Self.instant) == nil)
    }

    @Test("seconds round a fractional pause up")
    func secondsRoundUp() throws {
        let retryAfter = try #require(RetryAfter("Wed, 21 Oct 2015 07:28:02 GMT", now: Self.instant.addingTimeInterval(0.25)))
        #expect(retryAfter.delay == .milliseconds(1750))
        #expect(retryAfter.seconds == 2)
    }
}
