import Foundation
import NIOCore

#if canImport(FoundationXML)
import FoundationXML
#endif

/// A parsed element of an S3 XML response (list results, upload ids, error bodies): name, text and children.
struct S3XMLElement: Sendable {
    var name: String
    var text: String
    var children: [S3XMLElement]

    /// The first child named `name`.
    func child(_ name: String) -> S3XMLElement? {
        children.first { $0.name == name }
    }

    /// Every child named `name`, in document order.
    func children(named name: String) -> [S3XMLElement] {
        children.filter { $0.name == name }
    }

    /// Parses a whole document and returns its root element, or `nil` when the bytes are not well-formed XML.
    static func parse(_ buffer: ByteBuffer) -> S3XMLElement? {
        let parser = XMLParser(data: Data(buffer.readableBytesView))
        let builder = TreeBuilder()
        parser.delegate = builder
        guard parser.parse() else { return nil }
        return builder.root
    }

    private final class TreeBuilder: NSObject, XMLParserDelegate {
        var stack: [S3XMLElement] = []
        var root: S3XMLElement?

        func parser(
            _ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?, qualifiedName: String?,
            attributes: [String: String] = [:]
        ) {
            stack.append(S3XMLElement(name: elementName, text: "", children: []))
        }

        func parser(_ parser: XMLParser, foundCharacters string: String) {
            guard !stack.isEmpty else { return }
            stack[stack.count - 1].text += string
        }

        func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName: String?) {
            guard let finished = stack.popLast() else { return }
            if stack.isEmpty {
                root = finished
            } else {
                stack[stack.count - 1].children.append(finished)
            }
        }
    }
}
