import Foundation
import NIOCore

/// Writes the JSON the simulator answers with (dictionaries, arrays, strings, integers, doubles, booleans, `NSNull`)
/// straight into a buffer, keys sorted and slashes unescaped, as `JSONSerialization` with `.sortedKeys` and
/// `.withoutEscapingSlashes` would.
///
/// `JSONSerialization` bridges every value to a Foundation object and sorts keys with `NSString` comparisons; for a
/// delta page of 200 items that was most of the simulator's time, which a loopback benchmark counts against the
/// backup it measures. Values of any other type (numbers parsed from a request body, say) are written by
/// `JSONSerialization`.
enum JSONText {
    /// JSON text written as it is, inside a value being written (a batched request's body, say).
    struct Raw {
        var text: ByteBuffer

        init(_ text: ByteBuffer) {
            self.text = text
        }
    }

    /// `value` as JSON text.
    static func buffer(_ value: Any) -> ByteBuffer {
        var buffer = ByteBuffer()
        buffer.reserveCapacity(1024)
        write(value, into: &buffer)
        return buffer
    }

    private static func write(_ value: Any, into buffer: inout ByteBuffer) {
        let type = ObjectIdentifier(Swift.type(of: value))
        switch type {
        case ObjectIdentifier(String.self):
            writeString(value as! String, into: &buffer)
        case ObjectIdentifier([String: Any].self):
            writeObject(value as! [String: Any], into: &buffer)
        case ObjectIdentifier([String: String].self):
            writeObject(value as! [String: String], into: &buffer)
        case ObjectIdentifier([[String: Any]].self):
            writeArray(value as! [[String: Any]], into: &buffer)
        case ObjectIdentifier([Any].self):
            writeArray(value as! [Any], into: &buffer)
        case ObjectIdentifier([String].self):
            writeArray(value as! [String], into: &buffer)
        case ObjectIdentifier(Int.self):
            buffer.writeString(String(value as! Int))
        case ObjectIdentifier(Int64.self):
            buffer.writeString(String(value as! Int64))
        case ObjectIdentifier(Bool.self):
            buffer.writeString((value as! Bool) ? "true" : "false")
        case ObjectIdentifier(NSNull.self):
            buffer.writeString("null")
        case ObjectIdentifier(Raw.self):
            var text = (value as! Raw).text
            buffer.writeBuffer(&text)
        default:
            if let object = value as? [String: Any] {
                writeObject(object, into: &buffer)
            } else if let array = value as? [Any] {
                writeArray(array, into: &buffer)
            } else {
                writeFragment(value, into: &buffer)
            }
        }
    }

    private static func writeObject<Value>(_ object: [String: Value], into buffer: inout ByteBuffer) {
        buffer.writeInteger(UInt8(ascii: "{"))
        var first = true
        for (key, value) in object.sorted(by: { $0.key < $1.key }) {
            if !first { buffer.writeInteger(UInt8(ascii: ",")) }
            first = false
            writeString(key, into: &buffer)
            buffer.writeInteger(UInt8(ascii: ":"))
            write(value, into: &buffer)
        }
        buffer.writeInteger(UInt8(ascii: "}"))
    }

    private static func writeArray<Element>(_ array: [Element], into buffer: inout ByteBuffer) {
        buffer.writeInteger(UInt8(ascii: "["))
        for (index, element) in array.enumerated() {
            if index > 0 { buffer.writeInteger(UInt8(ascii: ",")) }
            write(element, into: &buffer)
        }
        buffer.writeInteger(UInt8(ascii: "]"))
    }

    private static func writeString(_ string: String, into buffer: inout ByteBuffer) {
        buffer.writeInteger(UInt8(ascii: "\""))
        var pending = string.utf8.startIndex
        let utf8 = string.utf8
        for index in utf8.indices {
            let byte = utf8[index]
            guard byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") else { continue }
            buffer.writeBytes(utf8[pending..<index])
            switch byte {
            case UInt8(ascii: "\""): buffer.writeString("\\\"")
            case UInt8(ascii: "\\"): buffer.writeString("\\\\")
            case 0x0A: buffer.writeString("\\n")
            case 0x0D: buffer.writeString("\\r")
            case 0x09: buffer.writeString("\\t")
            case 0x08: buffer.writeString("\\b")
            case 0x0C: buffer.writeString("\\f")
            default:
                let hex = String(byte, radix: 16)
                buffer.writeString("\\u" + String(repeating: "0", count: 4 - hex.count) + hex)
            }
            pending = utf8.index(after: index)
        }
        buffer.writeBytes(utf8[pending...])
        buffer.writeInteger(UInt8(ascii: "\""))
    }

    /// A value of a type the fast path does not know, written by `JSONSerialization` (`null` if it cannot be).
    private static func writeFragment(_ value: Any, into buffer: inout ByteBuffer) {
        guard
            let data = try? JSONSerialization.data(
                withJSONObject: value, options: [.fragmentsAllowed, .sortedKeys, .withoutEscapingSlashes])
        else {
            buffer.writeString("null")
            return
        }
        buffer.writeBytes(data)
    }
}
