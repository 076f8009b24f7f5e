import Foundation
import Hummingbird
import Synchronization

/// The request id, trace id and time every AvePoint envelope carries, fixed when the request arrives.
struct AvePointRequestIdentity: Sendable {
    /// Kestrel-style `<connection id>:<request number>`, e.g. `0HNEVHLNSPSEJ:00000008`.
    var requestID: String
    /// A W3C traceparent, `00-<32 hex trace id>-<16 hex span id>-00`.
    var traceID: String
    /// When the request arrived.
    var receivedAt: Date

    /// `receivedAt` as ISO 8601 UTC with seven fractional digits (.NET's `o` format), e.g. `2026-02-27T03:54:23.1052191Z`.
    var timestamp: String { Self.timestamp(receivedAt) }

    /// ISO 8601 UTC with seven fractional digits, rounded to the 100-nanosecond tick.
    ///
    /// Counted from 2001, the interval a `Date` holds: re-based on 1970 first, a double no longer resolves 100 ns.
    static func timestamp(_ date: Date) -> String {
        let ticksPerSecond: Int64 = 10_000_000
        var (seconds, ticks) = Int64((date.timeIntervalSinceReferenceDate * Double(ticksPerSecond)).rounded())
            .quotientAndRemainder(dividingBy: ticksPerSecond)
        if ticks < 0 {
            seconds -= 1
            ticks += ticksPerSecond
        }
        let whole = Date(timeIntervalSinceReferenceDate: TimeInterval(seconds)).formatted(Date.ISO8601FormatStyle())
        return "\(whole.dropLast()).\(String(ticks + ticksPerSecond).dropFirst())Z"
    }

    /// An identity for a request that reached an AvePoint handler without `AvePointErrorMiddleware` (never in `buildRouter`).
    static func unnumbered(_ request: Request) -> AvePointRequestIdentity {
        AvePointRequestNumbering().next(for: request)
    }
}

/// Numbers the requests of one server like Kestrel numbers those of a connection: a random 13-character id in
/// Kestrel's alphabet for the server's lifetime, then a counter in 8 hex digits.
final class AvePointRequestNumbering: Sendable {
    private let connectionID: String
    private let counter = Atomic<UInt32>(0)
    private static let alphabet = Array("0123456789ABCDEFGHIJKLMNOPQRSTUV")

    /// Creates a numbering with a fresh random connection id.
    init() {
        var generator = SystemRandomNumberGenerator()
        connectionID = String((0..<13).map { _ in Self.alphabet[Int(generator.next(upperBound: UInt32(Self.alphabet.count)))] })
    }

    /// The next request's identity; the trace id of a valid incoming `traceparent` is kept (the span id is new).
    func next(for request: Request, now: Date = Date()) -> AvePointRequestIdentity {
        let number = counter.add(1, ordering: .relaxed).newValue
        let hexNumber = String(number, radix: 16, uppercase: true)
        let requestID = connectionID + ":" + String(repeating: "0", count: max(0, 8 - hexNumber.count)) + hexNumber
        let traceID = Self.incomingTraceID(request.headers[.traceparent]) ?? Self.randomHex(bytes: 16)
        return AvePointRequestIdentity(
            requestID: requestID, traceID: "00-\(traceID)-\(Self.randomHex(bytes: 8))-00", receivedAt: now)
    }

    /// The trace id of a well-formed W3C `traceparent` header (version 00, not all zeros), or nil.
    static func incomingTraceID(_ header: String?) -> String? {
        guard let header else { return nil }
        let parts = header.trimmingCharacters(in: .whitespaces).split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 4, parts[0] == "00", parts[1].count == 32, parts[2].count == 16, parts[3].count == 2 else {
            return nil
        }
        let hex = Set("0123456789abcdef")
        guard parts.dropFirst().allSatisfy({ $0.allSatisfy(hex.contains) }), parts[1].contains(where: { $0 != "0" }) else {
            return nil
        }
        return String(parts[1])
    }

    private static func randomHex(bytes count: Int) -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<count).map { _ in
            let byte = UInt8.random(in: 0...255, using: &generator)
            return (byte < 16 ? "0" : "") + String(byte, radix: 16)
        }.joined()
    }
}
