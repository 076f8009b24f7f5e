import Foundation
import Hummingbird

/// JSON encoding shared by the dialects: ISO 8601 UTC dates with milliseconds, stable key order.
enum JSONResponse {
    static func makeEncoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true)))
        }
        return encoder
    }

    /// A response with `value` encoded as JSON.
    static func make(_ value: some Encodable, status: HTTPResponse.Status = .ok) throws -> Response {
        let data = try makeEncoder().encode(value)
        return Response(
            status: status, headers: [.contentType: "application/json; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}

/// Query parameters matched case-insensitively by name (`organizationId` = `organizationID`).
struct CaseInsensitiveQuery {
    private var values: [String: String] = [:]

    init(_ request: Request) {
        for (key, value) in request.uri.queryParameters {
            values[String(key).lowercased()] = String(value)
        }
    }

    /// The raw value of a parameter, if present.
    subscript(_ name: String) -> String? { values[name.lowercased()] }

    /// A UUID parameter; a malformed value is a 400 naming it.
    func uuid(_ name: String) throws -> UUID? {
        guard let raw = self[name], !raw.isEmpty else { return nil }
        guard let value = UUID(uuidString: raw) else {
            throw RequestError.invalidField(name: name, reason: "'\(raw)' is not an identifier (UUID)")
        }
        return value
    }

    /// A boolean parameter (`true`/`false`, any case); anything else is a 400 naming it.
    func bool(_ name: String) throws -> Bool? {
        guard let raw = self[name], !raw.isEmpty else { return nil }
        switch raw.lowercased() {
        case "true": return true
        case "false": return false
        default: throw RequestError.invalidField(name: name, reason: "'\(raw)' is not true or false")
        }
    }
}
