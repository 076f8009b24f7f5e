import Foundation
import Hummingbird

/// Query parameters matched case-insensitively by name (`organizationId` = `organizationID`), form-decoded
/// (`+` is a space, `%XX` escapes are decoded) in names and values alike.
struct CaseInsensitiveQuery: Sendable {
    private var values: [String: String] = [:]
    private var rawValues: [String: String] = [:]

    /// Reads the query of a request; when a name repeats, the last value wins.
    init(_ request: Request) {
        self.init(query: request.uri.query ?? "")
    }

    /// Reads a raw query string (without the `?`).
    init(query: String) {
        for pair in query.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let name = String(parts[0]).formDecoded?.lowercased(), !name.isEmpty else { continue }
            let raw = parts.count > 1 ? String(parts[1]) : ""
            values[name] = raw.formDecoded ?? raw
            rawValues[name] = raw.removingPercentEncoding ?? raw
        }
    }

    /// The form-decoded value of a parameter, if present.
    subscript(_ name: String) -> String? { values[name.lowercased()] }

    /// The value with `%XX` escapes decoded but `+` kept, for values such as `+02:00` offsets sent unescaped.
    func percentDecoded(_ name: String) -> String? { rawValues[name.lowercased()] }

    /// A UUID parameter; a malformed value is a 400 naming it.
    func uuid(_ name: String) throws -> UUID? {
        guard let raw = self[name]?.trimmingCharacters(in: .whitespaces), !raw.isEmpty else { return nil }
        guard let value = UUID(uuidString: raw) else {
            throw RequestError.invalidField(name: name, reason: "'\(raw)' is not an identifier (UUID)")
        }
        return value
    }

    /// A boolean parameter (`true`/`false`, any case); anything else is a 400 naming it.
    func bool(_ name: String) throws -> Bool? {
        guard let raw = self[name]?.trimmingCharacters(in: .whitespaces), !raw.isEmpty else { return nil }
        switch raw.lowercased() {
        case "true": return true
        case "false": return false
        default: throw RequestError.invalidField(name: name, reason: "'\(raw)' is not true or false")
        }
    }
}
