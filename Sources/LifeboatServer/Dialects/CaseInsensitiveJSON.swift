import Foundation

/// A parsed JSON value.
enum JSONNode: Sendable, Decodable {
    case string(String)
    case number(Double)
    case bool(Bool)
    case null
    case array([JSONNode])
    case object([String: JSONNode])

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Double.self) {
            self = .number(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([JSONNode].self) {
            self = .array(value)
        } else {
            self = .object(try container.decode([String: JSONNode].self))
        }
    }
}

/// A JSON object whose property names match in any letter case, as ASP.NET-based APIs (Veeam, AvePoint) accept them
/// (`"skipunresolved"`, `"SkipUnresolved"` and `"skipUnresolved"` are one property).
struct CaseInsensitiveJSON: Sendable {
    private let properties: [String: JSONNode]

    /// Parses a JSON object; throws `RequestError.invalidBody` for anything else (malformed JSON, comments, an array...).
    init(parsing data: Data, expecting description: String) throws {
        let node: JSONNode
        do {
            node = try JSONDecoder().decode(JSONNode.self, from: data)
        } catch {
            throw RequestError.invalidBody("not valid JSON; expected \(description)")
        }
        guard case .object(let object) = node else { throw RequestError.invalidBody("expected a JSON object: \(description)") }
        self.init(object)
    }

    init(_ object: [String: JSONNode]) {
        var properties: [String: JSONNode] = [:]
        for (key, value) in object { properties[key.lowercased()] = value }
        self.properties = properties
    }

    /// Property names, lower-cased.
    var keys: [String] { Array(properties.keys) }

    /// A property's value; `nil` when absent or `null`.
    func value(_ name: String) -> JSONNode? {
        guard let value = properties[name.lowercased()] else { return nil }
        if case .null = value { return nil }
        return value
    }

    /// A string property; throws naming `field` when it has another type.
    func string(_ name: String, field: String) throws -> String? {
        guard let value = value(name) else { return nil }
        guard case .string(let text) = value else { throw RequestError.invalidField(name: field, reason: "expected a string") }
        return text
    }

    /// A boolean property; `"true"`/`"false"` strings are accepted (Veeam's own examples send them).
    func bool(_ name: String, field: String) throws -> Bool? {
        switch value(name) {
        case nil: return nil
        case .bool(let flag): return flag
        case .string(let text) where text.lowercased() == "true": return true
        case .string(let text) where text.lowercased() == "false": return false
        default: throw RequestError.invalidField(name: field, reason: "expected true or false")
        }
    }

    /// An array-of-objects property.
    func objects(_ name: String, field: String) throws -> [CaseInsensitiveJSON]? {
        guard let value = value(name) else { return nil }
        guard case .array(let elements) = value else { throw RequestError.invalidField(name: field, reason: "expected an array") }
        return try elements.enumerated().map { index, element in
            guard case .object(let object) = element else {
                throw RequestError.invalidField(name: "\(field)[\(index)]", reason: "expected an object")
            }
            return CaseInsensitiveJSON(object)
        }
    }

    /// An object property.
    func object(_ name: String, field: String) throws -> CaseInsensitiveJSON? {
        guard let value = value(name) else { return nil }
        guard case .object(let object) = value else { throw RequestError.invalidField(name: field, reason: "expected an object") }
        return CaseInsensitiveJSON(object)
    }
}
