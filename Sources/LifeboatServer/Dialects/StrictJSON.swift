/// A JSON value parsed strictly by RFC 8259 — no comments, no trailing commas, nothing after the value — with object
/// members looked up case-insensitively, as ASP.NET binds request bodies.
///
/// Foundation's parsers accept trailing commas and say only "not valid JSON"; a request body must be refused with
/// where and why it is malformed, so request bodies of both dialects go through this parser.
indirect enum StrictJSON: Sendable, Equatable {
    case null
    case bool(Bool)
    /// A number, kept as written so integers can be told from `1.0` or `1e3`.
    case number(String)
    case string(String)
    case array([StrictJSON])
    /// Members in document order; a repeated name keeps every occurrence (lookups take the last, as ASP.NET does).
    case object([(name: String, value: StrictJSON)])

    /// Why and where a text is not JSON.
    struct SyntaxError: Error, Sendable, Equatable, CustomStringConvertible {
        var reason: String
        /// 1-based line and column (in bytes) of the offending character.
        var line: Int
        var column: Int

        var description: String { "\(reason) (line \(line), column \(column))" }
    }

    /// Nesting deeper than this is refused (a request body never needs it, and recursion must stay bounded).
    static let maximumDepth = 64

    /// Parses a complete UTF-8 JSON text (an optional byte-order mark is skipped).
    /// - Throws: `SyntaxError`.
    static func parse(_ bytes: [UInt8]) throws(SyntaxError) -> StrictJSON {
        var parser = Parser(bytes: bytes)
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { parser.offset = 3 }
        parser.skipWhitespace()
        let value = try parser.parseValue(depth: 0)
        parser.skipWhitespace()
        if parser.offset < bytes.count { throw parser.unexpected("after the end of the JSON value") }
        return value
    }

    static func == (lhs: StrictJSON, rhs: StrictJSON) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null): true
        case (.bool(let a), .bool(let b)): a == b
        case (.number(let a), .number(let b)): a == b
        case (.string(let a), .string(let b)): a == b
        case (.array(let a), .array(let b)): a == b
        case (.object(let a), .object(let b)): a.map(\.name) == b.map(\.name) && a.map(\.value) == b.map(\.value)
        default: false
        }
    }

    /// The value of the object member named `name` in any letter case (the last one when repeated); nil when absent or
    /// when this is not an object.
    subscript(_ name: String) -> StrictJSON? {
        guard case .object(let members) = self else { return nil }
        let key = name.lowercased()
        return members.last { $0.name.lowercased() == key }?.value
    }

    /// The value as an integer when it is written as one (`2`, not `2.0`, `"2"` or `2e0`) and fits.
    var integerValue: Int? {
        guard case .number(let text) = self, !text.contains(where: { ".eE".contains($0) }) else { return nil }
        return Int(text)
    }

    /// The string, or nil for any other kind of value.
    var stringValue: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    /// The elements, or nil for any other kind of value.
    var arrayValue: [StrictJSON]? {
        if case .array(let value) = self { return value }
        return nil
    }

    /// Whether the value is `null`.
    var isNull: Bool { self == .null }

    /// What kind of value this is, for messages (`a string`, `an array`...).
    var kindDescription: String {
        switch self {
        case .null: "null"
        case .bool: "a boolean"
        case .number: "a number"
        case .string: "a string"
        case .array: "an array"
        case .object: "an object"
        }
    }
}

/// Recursive-descent parsing over the bytes, tracking position for messages.
private struct Parser {
    let bytes: [UInt8]
    var offset = 0

    init(bytes: [UInt8]) {
        self.bytes = bytes
    }

    mutating func skipWhitespace() {
        while offset < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[offset]) { offset += 1 }
    }

    func error(_ reason: String, at position: Int? = nil) -> StrictJSON.SyntaxError {
        let position = min(position ?? offset, bytes.count)
        var line = 1
        var lineStart = 0
        for index in 0..<position where bytes[index] == 0x0A {
            line += 1
            lineStart = index + 1
        }
        return StrictJSON.SyntaxError(reason: reason, line: line, column: position - lineStart + 1)
    }

    /// An error for the byte at the current position, explaining the common mistakes (comments, trailing commas).
    func unexpected(_ context: String) -> StrictJSON.SyntaxError {
        guard offset < bytes.count else { return error("Unexpected end of the body \(context)") }
        let byte = bytes[offset]
        if byte == UInt8(ascii: "/") { return error("Comments are not allowed in JSON: unexpected '/' \(context)") }
        let shown = (0x21...0x7E).contains(byte) ? "'\(Character(Unicode.Scalar(byte)))'" : "byte 0x\(String(byte, radix: 16, uppercase: true))"
        return error("Unexpected character \(shown) \(context)")
    }

    mutating func parseValue(depth: Int) throws(StrictJSON.SyntaxError) -> StrictJSON {
        guard depth < StrictJSON.maximumDepth else { throw error("JSON nested deeper than \(StrictJSON.maximumDepth) levels") }
        guard offset < bytes.count else { throw error("Unexpected end of the body where a value was expected") }
        switch bytes[offset] {
        case UInt8(ascii: "{"): return try parseObject(depth: depth)
        case UInt8(ascii: "["): return try parseArray(depth: depth)
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"): try literal("true"); return .bool(true)
        case UInt8(ascii: "f"): try literal("false"); return .bool(false)
        case UInt8(ascii: "n"): try literal("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try parseNumber())
        default: throw unexpected("where a value was expected")
        }
    }

    private mutating func literal(_ word: String) throws(StrictJSON.SyntaxError) {
        let expected = Array(word.utf8)
        guard bytes.count - offset >= expected.count, Array(bytes[offset..<offset + expected.count]) == expected else {
            throw unexpected("where a value was expected")
        }
        offset += expected.count
    }

    private mutating func parseObject(depth: Int) throws(StrictJSON.SyntaxError) -> StrictJSON {
        offset += 1
        var members: [(name: String, value: StrictJSON)] = []
        skipWhitespace()
        if offset < bytes.count, bytes[offset] == UInt8(ascii: "}") {
            offset += 1
            return .object(members)
        }
        while true {
            skipWhitespace()
            guard offset < bytes.count, bytes[offset] == UInt8(ascii: "\"") else {
                if offset < bytes.count, bytes[offset] == UInt8(ascii: "}"), !members.isEmpty {
                    throw error("Trailing comma before '}' is not allowed in JSON")
                }
                throw unexpected("where a property name in double quotes was expected")
            }
            let name = try parseString()
            skipWhitespace()
            guard offset < bytes.count, bytes[offset] == UInt8(ascii: ":") else { throw unexpected("where ':' was expected") }
            offset += 1
            skipWhitespace()
            members.append((name, try parseValue(depth: depth + 1)))
            skipWhitespace()
            guard offset < bytes.count else { throw error("Unexpected end of the body inside an object: '}' is missing") }
            switch bytes[offset] {
            case UInt8(ascii: ","): offset += 1
            case UInt8(ascii: "}"):
                offset += 1
                return .object(members)
            default: throw unexpected("where ',' or '}' was expected")
            }
        }
    }

    private mutating func parseArray(depth: Int) throws(StrictJSON.SyntaxError) -> StrictJSON {
        offset += 1
        var elements: [StrictJSON] = []
        skipWhitespace()
        if offset < bytes.count, bytes[offset] == UInt8(ascii: "]") {
            offset += 1
            return .array(elements)
        }
        while true {
            skipWhitespace()
            if offset < bytes.count, bytes[offset] == UInt8(ascii: "]"), !elements.isEmpty {
                throw error("Trailing comma before ']' is not allowed in JSON")
            }
            elements.append(try parseValue(depth: depth + 1))
            skipWhitespace()
            guard offset < bytes.count else { throw error("Unexpected end of the body inside an array: ']' is missing") }
            switch bytes[offset] {
            case UInt8(ascii: ","): offset += 1
            case UInt8(ascii: "]"):
                offset += 1
                return .array(elements)
            default: throw unexpected("where ',' or ']' was expected")
            }
        }
    }

    private mutating func parseNumber() throws(StrictJSON.SyntaxError) -> String {
        let start = offset
        func digits(_ parser: inout Parser) -> Int {
            let from = parser.offset
            while parser.offset < parser.bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(parser.bytes[parser.offset]) {
                parser.offset += 1
            }
            return parser.offset - from
        }
        if bytes[offset] == UInt8(ascii: "-") { offset += 1 }
        let integerStart = offset
        guard digits(&self) > 0 else { throw unexpected("in a number: a digit was expected") }
        if bytes[integerStart] == UInt8(ascii: "0"), offset - integerStart > 1 {
            throw error("Numbers must not have leading zeros", at: integerStart)
        }
        if offset < bytes.count, bytes[offset] == UInt8(ascii: ".") {
            offset += 1
            guard digits(&self) > 0 else { throw unexpected("in a number: a digit was expected after '.'") }
        }
        if offset < bytes.count, bytes[offset] == UInt8(ascii: "e") || bytes[offset] == UInt8(ascii: "E") {
            offset += 1
            if offset < bytes.count, bytes[offset] == UInt8(ascii: "+") || bytes[offset] == UInt8(ascii: "-") { offset += 1 }
            guard digits(&self) > 0 else { throw unexpected("in a number: a digit was expected in the exponent") }
        }
        return String(decoding: bytes[start..<offset], as: UTF8.self)
    }

    private mutating func parseString() throws(StrictJSON.SyntaxError) -> String {
        let opening = offset
        offset += 1
        var scalars = String.UnicodeScalarView()
        var runStart = offset
        func flush(_ parser: Parser, upTo end: Int, into scalars: inout String.UnicodeScalarView) -> Bool {
            guard runStart < end else { return true }
            guard let text = String(validating: parser.bytes[runStart..<end], as: UTF8.self) else { return false }
            scalars.append(contentsOf: text.unicodeScalars)
            return true
        }
        while true {
            guard offset < bytes.count else { throw error("Unterminated string", at: opening) }
            let byte = bytes[offset]
            if byte == UInt8(ascii: "\"") {
                guard flush(self, upTo: offset, into: &scalars) else { throw error("A string is not valid UTF-8", at: opening) }
                offset += 1
                return String(scalars)
            }
            if byte < 0x20 { throw error("Control characters must be escaped in JSON strings") }
            guard byte == UInt8(ascii: "\\") else {
                offset += 1
                continue
            }
            guard flush(self, upTo: offset, into: &scalars) else { throw error("A string is not valid UTF-8", at: opening) }
            offset += 1
            guard offset < bytes.count else { throw error("Unterminated string", at: opening) }
            let escape = bytes[offset]
            offset += 1
            switch escape {
            case UInt8(ascii: "\""): scalars.append("\"")
            case UInt8(ascii: "\\"): scalars.append("\\")
            case UInt8(ascii: "/"): scalars.append("/")
            case UInt8(ascii: "b"): scalars.append("\u{08}")
            case UInt8(ascii: "f"): scalars.append("\u{0C}")
            case UInt8(ascii: "n"): scalars.append("\n")
            case UInt8(ascii: "r"): scalars.append("\r")
            case UInt8(ascii: "t"): scalars.append("\t")
            case UInt8(ascii: "u"):
                var code = try hexQuad()
                if (0xD800...0xDBFF).contains(code) {
                    guard bytes.count - offset >= 6, bytes[offset] == UInt8(ascii: "\\"), bytes[offset + 1] == UInt8(ascii: "u") else {
                        throw error("An unpaired surrogate escape in a string")
                    }
                    offset += 2
                    let low = try hexQuad()
                    guard (0xDC00...0xDFFF).contains(low) else { throw error("An unpaired surrogate escape in a string") }
                    code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                }
                guard let scalar = Unicode.Scalar(code) else { throw error("An unpaired surrogate escape in a string") }
                scalars.append(scalar)
            default:
                offset -= 1
                throw unexpected("after '\\' in a string: not a JSON escape")
            }
            runStart = offset
        }
    }

    private mutating func hexQuad() throws(StrictJSON.SyntaxError) -> UInt32 {
        let hexDigits = Set("0123456789abcdefABCDEF".utf8)
        guard bytes.count - offset >= 4, bytes[offset..<offset + 4].allSatisfy(hexDigits.contains),
            let value = UInt32(String(decoding: bytes[offset..<offset + 4], as: UTF8.self), radix: 16)
        else { throw error("'\\u' must be followed by four hex digits") }
        offset += 4
        return value
    }
}
