/// Typed access to a request body's JSON object, parsed strictly (`StrictJSON`), whose property names match in any
/// letter case as ASP.NET-based APIs (Veeam, AvePoint) accept them: `"skipunresolved"`, `"SkipUnresolved"` and
/// `"skipUnresolved"` are one property. Every accessor throws `RequestError` naming the field.
struct CaseInsensitiveJSON: Sendable {
    private let members: [(name: String, value: StrictJSON)]

    /// Parses a JSON object; throws `RequestError.invalidBody` for anything else (malformed JSON, comments, an array...).
    init(parsing bytes: [UInt8], expecting description: String) throws {
        let value: StrictJSON
        do {
            value = try StrictJSON.parse(bytes)
        } catch {
            throw RequestError.invalidBody("not valid JSON (\(error)); expected \(description)")
        }
        guard case .object(let members) = value else { throw RequestError.invalidBody("expected a JSON object: \(description)") }
        self.members = members
    }

    private init(members: [(name: String, value: StrictJSON)]) {
        self.members = members
    }

    /// Distinct property names, lower-cased.
    var keys: [String] { Array(Set(members.map { $0.name.lowercased() })) }

    /// A property's value (the last when repeated, as `StrictJSON` looks members up); `nil` when absent or `null`.
    func value(_ name: String) -> StrictJSON? {
        guard let value = StrictJSON.object(members)[name] else { return nil }
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

    /// An integer property, written as one (`5`, not `5.0` or `"5"`); throws naming `field` otherwise.
    func integer(_ name: String, field: String) throws -> Int? {
        guard let value = value(name) else { return nil }
        guard let number = value.integerValue else { throw RequestError.invalidField(name: field, reason: "expected an integer") }
        return number
    }

    /// An object property.
    func object(_ name: String, field: String) throws -> CaseInsensitiveJSON? {
        guard let value = value(name) else { return nil }
        guard case .object(let members) = value else { throw RequestError.invalidField(name: field, reason: "expected an object") }
        return CaseInsensitiveJSON(members: members)
    }

    /// An array-of-objects property.
    func objects(_ name: String, field: String) throws -> [CaseInsensitiveJSON]? {
        guard let value = value(name) else { return nil }
        guard case .array(let elements) = value else { throw RequestError.invalidField(name: field, reason: "expected an array") }
        return try elements.enumerated().map { index, element in
            guard case .object(let members) = element else {
                throw RequestError.invalidField(name: "\(field)[\(index)]", reason: "expected an object")
            }
            return CaseInsensitiveJSON(members: members)
        }
    }
}
