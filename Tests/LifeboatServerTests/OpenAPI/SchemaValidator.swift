import Foundation

/// Validates JSON values against OpenAPI 3.0 schema objects, resolving `$ref`s inside one document.
///
/// Supports what Veeam's documents use: `$ref`, `type` with `nullable`, `enum`, `format` (`date-time`, `uuid`,
/// `int32`, `int64`), `properties`, `required`, `additionalProperties` (boolean or schema), `items`,
/// `readOnly`/`writeOnly`, and the combinators `allOf`, `oneOf`, `anyOf`. Vendor extensions (`x-anyOf`) only
/// document and are ignored, as OpenAPI says. Unknown keywords are reported, so a schema the validator does not
/// understand can never pass silently.
struct SchemaValidator: Sendable {
    /// One way a value breaks its schema, located by a JSON path such as `$[0]._links.self.href`.
    struct Violation: Sendable, Hashable, CustomStringConvertible {
        var path: String
        var problem: String
        var description: String { "\(path): \(problem)" }
    }

    /// The document `$ref`s are resolved in.
    let document: JSONValue
    /// Whether an object may carry properties its schema does not declare when the schema says nothing about
    /// `additionalProperties`. OpenAPI allows them; a server that mimics a vendor should not invent names, so
    /// `false` catches misspelled or made-up properties.
    var allowsUndeclaredProperties: Bool
    /// Whether the value is a response body (`writeOnly` properties must not appear) or a request body
    /// (`readOnly` properties must not appear).
    var direction: Direction

    /// Which way the validated value travels.
    enum Direction: Sendable {
        case response
        case request
    }

    /// Creates a validator for schemas of `document`.
    init(document: JSONValue, allowsUndeclaredProperties: Bool = false, direction: Direction = .response) {
        self.document = document
        self.allowsUndeclaredProperties = allowsUndeclaredProperties
        self.direction = direction
    }

    private static let knownKeywords: Set<String> = [
        "$ref", "type", "nullable", "enum", "format", "properties", "required", "additionalProperties", "items",
        "allOf", "oneOf", "anyOf", "readOnly", "writeOnly", "description", "example", "default", "title",
        "deprecated", "discriminator", "minimum", "maximum", "minLength", "maxLength", "minItems", "maxItems", "pattern",
    ]

    /// Every violation of `schema` by `value`; empty when the value is valid.
    func violations(of value: JSONValue, against schema: JSONValue) -> [Violation] {
        var found: [Violation] = []
        check(value, schema, at: "$", checksUndeclared: true, into: &found)
        return found
    }

    /// Every violation of the named component schema (`RESTJob`) by `value`.
    func violations(of value: JSONValue, againstComponent name: String) -> [Violation] {
        violations(of: value, against: .object(["$ref": .string("#/components/schemas/\(name)")]))
    }

    /// The schema a `$ref` points to (`#/components/schemas/X`), or nil when it points nowhere.
    func resolve(_ reference: String) -> JSONValue? {
        guard reference.hasPrefix("#") else { return nil }
        var node = document
        for token in reference.dropFirst().split(separator: "/", omittingEmptySubsequences: true) {
            let key = token.replacingOccurrences(of: "~1", with: "/").replacingOccurrences(of: "~0", with: "~")
            if let members = node.objectValue, let next = members[key] {
                node = next
            } else if let elements = node.arrayValue, let index = Int(key), elements.indices.contains(index) {
                node = elements[index]
            } else {
                return nil
            }
        }
        return node
    }

    private func check(_ value: JSONValue, _ schema: JSONValue, at path: String, checksUndeclared: Bool, into found: inout [Violation]) {
        guard let keywords = schema.objectValue else {
            found.append(Violation(path: path, problem: "the schema is not an object: \(schema)"))
            return
        }
        for keyword in keywords.keys where !keyword.hasPrefix("x-") && !Self.knownKeywords.contains(keyword) {
            found.append(Violation(path: path, problem: "the validator does not support the keyword '\(keyword)'"))
        }
        if let reference = keywords["$ref"] {
            guard let target = reference.stringValue.flatMap(resolve) else {
                found.append(Violation(path: path, problem: "unresolvable $ref \(reference)"))
                return
            }
            // OpenAPI 3.0: siblings of $ref are ignored, except that a referenced enum/type may be made nullable.
            if value == .null, keywords["nullable"]?.boolValue == true { return }
            check(value, target, at: path, checksUndeclared: checksUndeclared, into: &found)
            return
        }
        if value == .null {
            let declaresType = keywords["type"] != nil || keywords["properties"] != nil || keywords["enum"] != nil
            if declaresType, keywords["nullable"]?.boolValue != true {
                found.append(Violation(path: path, problem: "null is not allowed (the schema is not nullable)"))
            }
            return
        }
        checkType(value, keywords, at: path, into: &found)
        if let allowed = keywords["enum"]?.arrayValue, !allowed.contains(value) {
            found.append(Violation(path: path, problem: "\(value) is not one of \(allowed.map(\.description))"))
        }
        if let format = keywords["format"]?.stringValue {
            checkFormat(value, format, at: path, into: &found)
        }
        if let members = value.objectValue {
            checkObject(members, keywords, at: path, checksUndeclared: checksUndeclared, into: &found)
        }
        if let elements = value.arrayValue, let items = keywords["items"] {
            for (index, element) in elements.enumerated() {
                check(element, items, at: "\(path)[\(index)]", checksUndeclared: true, into: &found)
            }
        }
        checkCombinators(value, keywords, at: path, into: &found)
    }

    private func checkType(_ value: JSONValue, _ keywords: [String: JSONValue], at path: String, into found: inout [Violation]) {
        guard let type = keywords["type"]?.stringValue else { return }
        let actual = value.typeName
        let matches = actual == type || (type == "number" && actual == "integer")
        if !matches {
            found.append(Violation(path: path, problem: "expected \(type), found \(actual) \(value)"))
        }
    }

    private func checkFormat(_ value: JSONValue, _ format: String, at path: String, into found: inout [Violation]) {
        switch (format, value) {
        case ("date-time", .string(let text)):
            if !Self.isDateTime(text) {
                found.append(Violation(path: path, problem: "'\(text)' is not an RFC 3339 date-time"))
            }
        case ("date", .string(let text)):
            if text.wholeMatch(of: /\d{4}-\d{2}-\d{2}/) == nil {
                found.append(Violation(path: path, problem: "'\(text)' is not an RFC 3339 full-date"))
            }
        case ("uuid", .string(let text)):
            if text.wholeMatch(of: /[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}/) == nil {
                found.append(Violation(path: path, problem: "'\(text)' is not a UUID"))
            }
        case ("int32", .integer(let number)):
            if Int32(exactly: number) == nil {
                found.append(Violation(path: path, problem: "\(number) does not fit in int32"))
            }
        default:
            break
        }
    }

    private func checkObject(
        _ members: [String: JSONValue], _ keywords: [String: JSONValue], at path: String, checksUndeclared: Bool,
        into found: inout [Violation]
    ) {
        let properties = keywords["properties"]?.objectValue ?? [:]
        for name in keywords["required"]?.arrayValue?.compactMap(\.stringValue) ?? [] where members[name] == nil {
            found.append(Violation(path: path, problem: "the required property '\(name)' is missing"))
        }
        for (name, member) in members.sorted(by: { $0.key < $1.key }) {
            let memberPath = "\(path).\(name)"
            if let propertySchema = properties[name] {
                checkAccess(propertySchema, name: name, at: memberPath, into: &found)
                check(member, propertySchema, at: memberPath, checksUndeclared: true, into: &found)
                continue
            }
            switch keywords["additionalProperties"] {
            case .bool(false):
                found.append(Violation(path: memberPath, problem: "the property is not allowed (additionalProperties: false)"))
            case .some(let additional) where additional.objectValue != nil:
                check(member, additional, at: memberPath, checksUndeclared: true, into: &found)
            case .some:
                break
            case .none:
                let declaredElsewhere = declaredProperties(inCombinatorsOf: keywords).contains(name)
                if checksUndeclared, !allowsUndeclaredProperties, !declaredElsewhere,
                    keywords["type"]?.stringValue == "object" || keywords["properties"] != nil || keywords["allOf"] != nil
                {
                    found.append(Violation(path: memberPath, problem: "the property is not declared by the schema"))
                }
            }
        }
    }

    /// Rejects `writeOnly` properties in responses and `readOnly` ones in requests.
    private func checkAccess(_ propertySchema: JSONValue, name: String, at path: String, into found: inout [Violation]) {
        let resolved = propertySchema["$ref"]?.stringValue.flatMap(resolve) ?? propertySchema
        switch direction {
        case .response where propertySchema["writeOnly"]?.boolValue == true || resolved["writeOnly"]?.boolValue == true:
            found.append(Violation(path: path, problem: "the write-only property '\(name)' appears in a response"))
        case .request where propertySchema["readOnly"]?.boolValue == true || resolved["readOnly"]?.boolValue == true:
            found.append(Violation(path: path, problem: "the read-only property '\(name)' appears in a request"))
        default:
            break
        }
    }

    /// Names declared by the `allOf` members of a schema (recursively), which its own `properties` do not list.
    private func declaredProperties(inCombinatorsOf keywords: [String: JSONValue]) -> Set<String> {
        var names: Set<String> = []
        for member in keywords["allOf"]?.arrayValue ?? [] {
            let resolved = member["$ref"]?.stringValue.flatMap(resolve) ?? member
            guard let memberKeywords = resolved.objectValue else { continue }
            names.formUnion(memberKeywords["properties"]?.objectValue?.keys.map { $0 } ?? [])
            names.formUnion(declaredProperties(inCombinatorsOf: memberKeywords))
        }
        return names
    }

    private func checkCombinators(_ value: JSONValue, _ keywords: [String: JSONValue], at path: String, into found: inout [Violation]) {
        let ownProperties = Set(keywords["properties"]?.objectValue?.keys.map { $0 } ?? [])
        for member in keywords["allOf"]?.arrayValue ?? [] {
            // Undeclared properties are judged once, by the composing schema that sees every member's properties.
            check(value, member, at: path, checksUndeclared: false, into: &found)
        }
        if let members = keywords["oneOf"]?.arrayValue {
            let passing = members.filter { member in
                var scratch: [Violation] = []
                check(value, member, at: path, checksUndeclared: ownProperties.isEmpty, into: &scratch)
                return scratch.isEmpty
            }
            if passing.count != 1 {
                found.append(Violation(path: path, problem: "matches \(passing.count) of the oneOf schemas instead of exactly 1"))
            }
        }
        if let members = keywords["anyOf"]?.arrayValue {
            let passes = members.contains { member in
                var scratch: [Violation] = []
                check(value, member, at: path, checksUndeclared: ownProperties.isEmpty, into: &scratch)
                return scratch.isEmpty
            }
            if !passes {
                found.append(Violation(path: path, problem: "matches none of the anyOf schemas"))
            }
        }
    }

    /// RFC 3339 `date-time`: full date, `T`, time with optional fraction, and a mandatory `Z` or offset.
    static func isDateTime(_ text: String) -> Bool {
        guard let match = text.wholeMatch(
            of: /(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.\d+)?(?:[Zz]|[+-](\d{2}):(\d{2}))/)
        else { return false }
        guard let month = Int(match.2), let day = Int(match.3), let hour = Int(match.4), let minute = Int(match.5),
            let second = Int(match.6), (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second <= 60
        else { return false }
        return true
    }
}
