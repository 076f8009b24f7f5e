import Foundation
import Testing

@testable import LifeboatServer

@Suite("Veeam dialect: date-time query values")
struct VeeamDateTimeTests {
    /// 2022-02-22 14:44:22 UTC, the instant of seed 003's example.
    static let seedInstant = Date(timeIntervalSince1970: 1_645_541_062)

    @Test(
        "seed 003's formats, ISO 8601 and the US form denote the instant they name, in UTC unless a zone is given",
        arguments: [
            ("2022-02-22 14:44:22.376", 0.376),
            ("2022-02-22 14:44:22.3764709", 0.3764709),
            ("2022.02.22 02:44:22 PM", 0),
            ("2022.02.22 14:44:22", 0),
            ("2022/02/22 14:44:22", 0),
            ("2022-02-22T14:44:22Z", 0),
            ("2022-02-22T14:44:22.3764709Z", 0.3764709),
            ("2022-02-22T16:44:22+02:00", 0),
            ("2022-02-22T09:44:22.5-0500", 0.5),
            ("02/22/2022 14:44:22", 0),
            ("  2022-02-22 14:44:22  ", 0),
        ])
    func accepted(text: String, fraction: Double) throws {
        let date = try #require(VeeamDateTime.parse(text))
        #expect(abs(date.timeIntervalSince(Self.seedInstant) - fraction) < 0.000_001)
    }

    @Test("a date alone is midnight UTC")
    func dateAlone() {
        #expect(VeeamDateTime.parse("2022-02-22") == Date(timeIntervalSince1970: 1_645_488_000))
        #expect(VeeamDateTime.parse("2022.02.22") == Date(timeIntervalSince1970: 1_645_488_000))
    }

    @Test(
        "impossible or foreign texts are refused",
        arguments: [
            "", "yesterday", "2022-02-30 10:00:00", "2022-13-01", "2022-02-22 24:00:00", "2022-02-22 10:60:00",
            "2022.02.22 13:00:00 PM", "2022-02-22T10:00:00+99:00", "1645541062", "22-02-2022", "2022-02-22T10:00:00ZZ",
        ])
    func refused(text: String) {
        #expect(VeeamDateTime.parse(text) == nil)
    }
}
