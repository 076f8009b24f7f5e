import Foundation

/// The one form the simulator parses a Graph address in, whatever form its client wrote it in.
///
/// Graph accepts one resource written several ways, and Microsoft's generated SDKs send the rarer ones: an id
/// percent-encoded whole, colons and slashes included (`items/root%3A%2FDocs%2Fa.txt%3A`,
/// `sites/contoso.sharepoint.com%3A%2Fsites%2FTeam%3A`), and OData function calls (`delta()`, `delta(token='…')`).
/// `canonical(path:query:)` decodes a `/v1.0/` address once, turns a function call into its plain segment (its arguments
/// into query parameters) and re-encodes each segment as Lifeboat's client does, so the handlers, the fault plan and the
/// resource-unit charge see one form; an address already in that form (every request Lifeboat sends) costs one scan.
enum GraphRequestPath {
    /// Functions of a drive item the simulator serves, whose call syntax (`name()`, `name(arg='v')`) is accepted.
    static let functions: Set<String> = ["delta"]

    /// `path` and `query` with the address decoded once, function calls made plain and each segment re-encoded.
    ///
    /// Paths outside `/v1.0/` (download and upload URLs, the token endpoint, the admin API) and addresses whose escapes are
    /// malformed come back as they are: the latter then fail to resolve, as they do at Graph.
    static func canonical(path: String, query: String) -> (path: String, query: String) {
        let prefix = "/v1.0/"
        guard path.hasPrefix(prefix),
            path.utf8.contains(where: { $0 == UInt8(ascii: "%") || $0 == UInt8(ascii: "(") })
        else { return (path, query) }
        guard let decoded = String(path.dropFirst(prefix.count)).removingPercentEncoding else { return (path, query) }
        var segments = decoded.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        var query = query
        if let last = segments.last, let call = functionCall(last) {
            segments[segments.count - 1] = call.name
            let arguments = call.arguments.map { "\(encodeQueryPart($0.name))=\(encodeQueryPart($0.value))" }
            query = ([query].filter { !$0.isEmpty } + arguments).joined(separator: "&")
        }
        return (prefix + segments.map(encodeSegment).joined(separator: "/"), query)
    }

    /// A segment that calls one of `functions`, with its arguments; nil for any other segment (a file named `a(1)`).
    static func functionCall(_ segment: String) -> (name: String, arguments: [(name: String, value: String)])? {
        guard segment.hasSuffix(")"), let open = segment.firstIndex(of: "(") else { return nil }
        let name = String(segment[..<open])
        guard functions.contains(name) else { return nil }
        let inside = segment[segment.index(after: open)..<segment.index(before: segment.endIndex)]
        var arguments: [(String, String)] = []
        var rest = inside[...]
        while !rest.isEmpty {
            guard let equals = rest.firstIndex(of: "=") else { return nil }
            let argument = rest[..<equals].trimmingCharacters(in: .whitespaces)
            rest = rest[rest.index(after: equals)...].drop(while: { $0 == " " })
            var value = ""
            if rest.first == "'" {
                // An OData string literal: quoted, with '' standing for one quote.
                rest = rest.dropFirst()
                var closed = false
                while let character = rest.first {
                    rest = rest.dropFirst()
                    if character == "'" {
                        if rest.first == "'" {
                            value.append("'")
                            rest = rest.dropFirst()
                        } else {
                            closed = true
                            break
                        }
                    } else {
                        value.append(character)
                    }
                }
                guard closed else { return nil }
            } else {
                let end = rest.firstIndex(of: ",") ?? rest.endIndex
                value = rest[..<end].trimmingCharacters(in: .whitespaces)
                rest = rest[end...]
            }
            arguments.append((argument, value))
            rest = rest.drop(while: { $0 == " " })
            if rest.first == "," { rest = rest.dropFirst() } else if !rest.isEmpty { return nil }
        }
        return (name, arguments)
    }

    /// What may stand unencoded in a path segment: the characters of `.urlPathAllowed` but `/`, `?` and `#`, as
    /// Lifeboat's client writes segments (`:` stays literal, so path-based addresses keep their delimiters).
    private static let segmentAllowed: CharacterSet = {
        var set = CharacterSet.urlPathAllowed
        set.remove(charactersIn: "/?#")
        return set
    }()

    private static let queryPartAllowed = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "-._~"))

    static func encodeSegment(_ segment: String) -> String {
        segment.addingPercentEncoding(withAllowedCharacters: segmentAllowed) ?? segment
    }

    private static func encodeQueryPart(_ part: String) -> String {
        part.addingPercentEncoding(withAllowedCharacters: queryPartAllowed) ?? part
    }
}
