import Foundation
import NIOCore
import SeededRandom
import Testing

@testable import M365Simulator

@Suite("The simulator's JSON writer")
struct JSONTextTests {
    @Test("escapes quotes, backslashes and control characters, keeps slashes and non-ASCII text, and sorts keys")
    func escapingAndOrder() throws {
        let text = String(buffer: JSONText.buffer(["b": "a\"b\\c/d\n\t\u{01}é💾", "a": [1, true, NSNull()] as [Any], "c": [String: Any]()]))
        #expect(text == #"{"a":[1,true,null],"b":"a\"b\\c/d\n\t\u0001é💾","c":{}}"#)
    }

    @Test("random documents read back through JSONSerialization as the values they were written from", arguments: 0..<20)
    func roundTrip(seed: UInt64) throws {
        var generator = SplitMix64(seed: seed)
        let document = Self.object(depth: 0, &generator)
        let parsed = try JSONSerialization.jsonObject(with: Data(JSONText.buffer(document).readableBytesView))
        let expected = Self.canonical(document)
        #expect(expected != "unwritable")
        #expect(Self.canonical(parsed) == expected)
    }

    private static func object(depth: Int, _ generator: inout SplitMix64) -> [String: Any] {
        var object: [String: Any] = [:]
        for _ in 0..<Int.random(in: 0...6, using: &generator) {
            object[string(&generator)] = value(depth: depth + 1, &generator)
        }
        return object
    }

    private static func value(depth: Int, _ generator: inout SplitMix64) -> Any {
        switch Int.random(in: 0..<(depth < 4 ? 8 : 5), using: &generator) {
        case 0: return string(&generator)
        case 1: return Int.random(in: Int.min...Int.max, using: &generator)
        case 2: return Int64.random(in: -1_000_000...1_000_000, using: &generator)
        case 3: return Bool.random(using: &generator)
        case 4: return NSNull()
        case 5: return object(depth: depth, &generator)
        case 6: return (0..<Int.random(in: 0...4, using: &generator)).map { _ in value(depth: depth + 1, &generator) }
        default: return (0..<Int.random(in: 0...4, using: &generator)).map { _ in object(depth: depth + 1, &generator) }
        }
    }

    /// Names with every kind of character JSON must escape or may carry as is.
    private static func string(_ generator: inout SplitMix64) -> String {
        let alphabet: [Character] = ["a", "Z", "0", " ", "\"", "\\", "/", "\n", "\r", "\t", "\u{08}", "\u{0C}", "\u{1F}", "é", "€", "💾", ":"]
        return String((0..<Int.random(in: 0...12, using: &generator)).map { _ in alphabet.randomElement(using: &generator)! })
    }

    /// A value as `JSONSerialization` writes it, keys sorted: the writer's output, read back, must write the same.
    private static func canonical(_ value: Any) -> String {
        let data = try? JSONSerialization.data(withJSONObject: value, options: [.sortedKeys, .withoutEscapingSlashes, .fragmentsAllowed])
        return data.map { String(decoding: $0, as: UTF8.self) } ?? "unwritable"
    }
}
