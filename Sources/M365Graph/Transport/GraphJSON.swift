import Foundation

/// JSON coding as Graph uses it: ISO 8601 dates with or without fractional seconds.
enum GraphJSON {
    static func makeDecoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .custom { decoder in
            let container = try decoder.singleValueContainer()
            let text = try container.decode(String.self)
            if let date = parseDate(text) { return date }
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "not an ISO 8601 date: \(text)")
        }
        return decoder
    }

    static func parseDate(_ text: String) -> Date? {
        if let date = GraphTimestamp.parse(text) { return date }
        if let date = try? Date(text, strategy: .iso8601) { return date }
        let fractional = Date.ISO8601FormatStyle(includingFractionalSeconds: true)
        return try? fractional.parse(text)
    }

    static func format(_ date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))
    }

    /// Graph's error body.
    struct ErrorBody: Decodable {
        struct Inner: Decodable {
            var code: String?
            var message: String?
            var innerError: InnerError?
        }
        struct InnerError: Decodable {
            var requestID: String?
            enum CodingKeys: String, CodingKey { case requestID = "request-id" }
        }
        var error: Inner
    }

    /// A collection answer (`value` with an optional `@odata.nextLink`).
    struct Collection<Element: Decodable>: Decodable {
        var value: [Element]
        var nextLink: String?
        var deltaLink: String?
        enum CodingKeys: String, CodingKey {
            case value
            case nextLink = "@odata.nextLink"
            case deltaLink = "@odata.deltaLink"
        }
    }
}
