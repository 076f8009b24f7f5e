import Foundation
import Hummingbird

/// JSON encoding shared by the dialects: ISO 8601 UTC dates with milliseconds, stable key order.
enum JSONResponse {
    static func makeEncoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(timestamp(date))
        }
        return encoder
    }

    /// `yyyy-MM-ddTHH:mm:ss.SSSZ` in UTC, rounded to the millisecond the catalog keeps.
    ///
    /// Formatting the floating-point date directly would truncate `…29.017` (held as `…29.016999`) to `.016`,
    /// and a client filtering on a time it was given would then get that very restore point back as "after" it.
    static func timestamp(_ date: Date) -> String {
        var (seconds, milliseconds) = Int64((date.timeIntervalSince1970 * 1000).rounded()).quotientAndRemainder(dividingBy: 1000)
        if milliseconds < 0 {
            seconds -= 1
            milliseconds += 1000
        }
        let whole = Date(timeIntervalSince1970: TimeInterval(seconds)).formatted(Date.ISO8601FormatStyle())
        return "\(whole.dropLast()).\(String(milliseconds + 1000).dropFirst())Z"
    }

    /// A response with `value` encoded as JSON.
    static func make(_ value: some Encodable, status: HTTPResponse.Status = .ok) throws -> Response {
        let data = try makeEncoder().encode(value)
        return Response(
            status: status, headers: [.contentType: "application/json; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}
