import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import Testing

@testable import LifeboatServer

/// The AvePoint dialect's formats on their own: strict JSON, recovery times, and the envelope's ids and timestamps.
@Suite("AvePoint dialect: wire formats")
struct AvePointWireFormatTests {
    @Test(
        "strict JSON refuses what ASP.NET refuses, saying where and why",
        arguments: [
            ("{\"a\": 1 // note\n}", "Comments are not allowed", 1),
            ("{\n/* note */ \"a\": 1}", "Comments are not allowed", 2),
            ("{\"a\": 1,}", "Trailing comma", 1),
            ("[1, 2,]", "Trailing comma", 1),
            ("{\"a\": [1}", "',' or ']'", 1),
            ("{\"a\": 01}", "leading zeros", 1),
            ("{'a': 1}", "property name", 1),
            ("{\"a\": tru}", "value was expected", 1),
            ("{\"a\": \"x\ty\"}", "Control characters", 1),
            ("{\"a\": \"\\q\"}", "not a JSON escape", 1),
            ("{} []", "after the end", 1),
            ("{\"a\": ", "Unexpected end", 1),
            ("\"\\ud800\"", "surrogate", 1),
        ])
    func strictRefusals(text: String, reason: String, line: Int) throws {
        #expect(throws: StrictJSON.SyntaxError.self) { try StrictJSON.parse(Array(text.utf8)) }
        do {
            _ = try StrictJSON.parse(Array(text.utf8))
        } catch {
            #expect(error.reason.contains(reason), "\(error)")
            #expect(error.line == line, "\(error)")
        }
    }

    @Test("strict JSON reads values, escapes and member names in any case, the last repeated member winning")
    func strictValues() throws {
        let value = try StrictJSON.parse(Array(#"{"ServiceType": 2, "a": "\u00e9\ud83d\ude00\n", "b": [true, null, -1.5e3], "A": "last"}"#.utf8))
        #expect(value["serviceType"]?.integerValue == 2)
        #expect(value["SERVICETYPE"]?.integerValue == 2)
        #expect(value["a"]?.stringValue == "last")
        #expect(value["b"]?.arrayValue == [.bool(true), .null, .number("-1.5e3")])
        #expect(StrictJSON.number("1.0").integerValue == nil)
        let escapes = try StrictJSON.parse(Array(#""\u00e9\ud83d\ude00\n\/""#.utf8))
        #expect(escapes.stringValue == "é😀\n/")
        #expect(try StrictJSON.parse([0xEF, 0xBB, 0xBF] + Array("{}".utf8)) == .object([]))
    }

    /// Recovery-time texts and the instants they denote (seconds since 1970), nil for refused ones.
    static let recoveryTimeCases: [(String, Double?)] = [
        ("2026-02-27T03:54:22Z", 1_772_164_462),
        ("2026-02-27T03:54:22.1052191Z", 1_772_164_462.1052191),
        ("2024-02-29T00:00:00Z", 1_709_164_800),
        ("2026-02-29T00:00:00Z", nil), ("2026-02-27T24:00:00Z", nil), ("2026-02-27T03:54:22.105Z", nil),
        ("2026-02-27T03:54:22+01:00", nil), ("2026-02-27T03:54:22", nil), (" 2026-02-27T03:54:22Z", nil),
        ("2026-02-27T03:54:2aZ", nil),
    ]

    @Test("recovery times: exactly yyyy-MM-ddTHH:mm:ssZ or seven fractional digits, real dates only", arguments: recoveryTimeCases)
    func recoveryTimes(text: String, seconds: Double?) {
        let parsed = AvePointDateTime.parse(text)
        if let seconds {
            #expect(abs((parsed?.timeIntervalSince1970 ?? 0) - seconds) < 1e-6, "\(text)")
        } else {
            #expect(parsed == nil, "\(text)")
        }
    }

    @Test("timestamps carry seven fractional digits, rounded to the 100 ns tick")
    func timestamps() {
        // 2026-02-27T03:54:23Z is 793,857,263 s after 2001-01-01, the reference date a `Date` counts from.
        #expect(AvePointRequestIdentity.timestamp(Date(timeIntervalSinceReferenceDate: 793_857_263.1052191)) == "2026-02-27T03:54:23.1052191Z")
        #expect(AvePointRequestIdentity.timestamp(Date(timeIntervalSinceReferenceDate: 793_857_263)) == "2026-02-27T03:54:23.0000000Z")
        #expect(AvePointRequestIdentity.timestamp(Date(timeIntervalSinceReferenceDate: 793_857_262.99999996)) == "2026-02-27T03:54:23.0000000Z")
    }

    @Test("request ids count up in 8 hex digits behind one Kestrel-style id; a valid traceparent's trace id is kept")
    func requestIdentity() {
        let numbering = AvePointRequestNumbering()
        let plain = Request(head: HTTPRequest(method: .get, scheme: "http", authority: "x", path: "/backup/m365/x"), body: .init(buffer: ByteBuffer()))
        let first = numbering.next(for: plain)
        let second = numbering.next(for: plain)
        #expect(first.requestID.wholeMatch(of: #/[0-9A-V]{13}:00000001/#) != nil, "\(first.requestID)")
        #expect(second.requestID.hasSuffix(":00000002"))
        #expect(first.requestID.prefix(13) == second.requestID.prefix(13))
        #expect(first.traceID.wholeMatch(of: #/00-[0-9a-f]{32}-[0-9a-f]{16}-00/#) != nil)
        #expect(first.traceID != second.traceID)

        var head = HTTPRequest(method: .get, scheme: "http", authority: "x", path: "/backup/m365/x")
        head.headerFields[.traceparent] = "00-670aa1d01485c1a7bbcc88bd48b05ed7-ecfba726763bda2a-01"
        let traced = numbering.next(for: Request(head: head, body: .init(buffer: ByteBuffer())))
        #expect(traced.traceID.hasPrefix("00-670aa1d01485c1a7bbcc88bd48b05ed7-"))
        #expect(!traced.traceID.contains("ecfba726763bda2a"), "a new span id")
        #expect(AvePointRequestNumbering.incomingTraceID("00-00000000000000000000000000000000-ecfba726763bda2a-01") == nil)
        #expect(AvePointRequestNumbering.incomingTraceID("garbage") == nil)
    }

    @Test("field names are shown as FluentValidation shows them")
    func displayNames() {
        #expect(RestoreJobForm.displayName("SiteRestoreScope") == "Site Restore Scope")
        #expect(RestoreJobForm.displayName("OneDriveUpn") == "One Drive Upn")
    }
}
