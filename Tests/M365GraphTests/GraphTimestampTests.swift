import Foundation
@testable import M365Graph
import SeededRandom
import Testing

@Suite("Graph timestamps are read as Foundation's ISO 8601 parsing reads them")
struct GraphTimestampTests {
    static func foundation(_ text: String) -> Date? {
        if let date = try? Date(text, strategy: .iso8601) { return date }
        return try? Date.ISO8601FormatStyle(includingFractionalSeconds: true).parse(text)
    }

    @Test(
        "whole seconds, fractions and offsets",
        arguments: [
            "2024-05-01T09:30:00Z", "1970-01-01T00:00:00Z", "2000-02-29T23:59:59Z", "1969-12-31T23:59:59Z",
            "2024-05-01T09:30:00.5Z", "2024-05-01T09:30:00.123Z", "2024-05-01T09:30:00.1234567Z",
            "2024-05-01T09:30:00+02:00", "2024-05-01T09:30:00-07:30", "2024-05-01T09:30:00.25+01:00", "2399-12-31T23:59:59Z",
        ])
    func knownCases(text: String) throws {
        let expected = try #require(Self.foundation(text))
        let parsed = try #require(GraphTimestamp.parse(text))
        #expect(abs(parsed.timeIntervalSince(expected)) < 1e-6, "\(text): \(parsed) against \(expected)")
    }

    @Test(
        "other shapes are not guessed at",
        arguments: [
            "", "2024-05-01", "2024-05-01T09:30:00", "2024-13-01T09:30:00Z", "2023-02-29T09:30:00Z", "2024-05-01T24:00:00Z",
            "2024-05-01T09:30:00.Z", "2024-05-01T09:30:00+0200", "2024-05-01 09:30:00Z", "2024-05-01T09:30:00Zjunk",
            "２０２４-05-01T09:30:00Z",
        ])
    func rejects(text: String) {
        #expect(GraphTimestamp.parse(text) == nil)
    }

    @Test("random instants from 1900 to 2200 agree with Foundation")
    func randomInstants() throws {
        var random = SplitMix64(seed: 0xDA7E)
        for _ in 0..<2_000 {
            let seconds = Double(Int64(random.next() % 9_467_280_000)) - 2_208_988_800
            let millis = Int(random.next() % 1000)
            let date = Date(timeIntervalSince1970: seconds)
            var text = date.formatted(Date.ISO8601FormatStyle())
            if random.next() % 2 == 0 { text = text.dropLast() + String(format: ".%03dZ", millis) }
            let expected = try #require(Self.foundation(text), "\(text)")
            let parsed = try #require(GraphTimestamp.parse(text), "\(text)")
            #expect(abs(parsed.timeIntervalSince(expected)) < 1e-6, "\(text): \(parsed) against \(expected)")
        }
    }
}
