import Foundation
import NIOHTTP1

/// What Graph charges for a request, in resource units, before it answers with `x-ms-resource-unit`.
///
/// 1 for a read, a download or a delta with a token; 2 for a delta without a token and for any write (uploads
/// included); 5 for permissions.
enum ResourceUnitCost {
    /// The expected cost of `method` on `url`.
    static func estimate(method: HTTPMethod, url: String) -> Int {
        let queryStart = url.firstIndex(of: "?")
        let path = url[..<(queryStart ?? url.endIndex)]
        if path.hasSuffix("/permissions") { return 5 }
        guard method == .GET else { return 2 }
        guard path.hasSuffix("/delta") || path.hasSuffix("/delta()") else { return 1 }
        guard let queryStart else { return 2 }
        let query = url[url.index(after: queryStart)...]
        let hasToken = query.split(separator: "&").contains { $0.hasPrefix("token=") || $0.hasPrefix("$deltatoken=") }
        return hasToken ? 1 : 2
    }

    /// The cost Graph reports in an answer's `x-ms-resource-unit`, when it does.
    static func reported(_ headers: HTTPHeaders) -> Int? {
        headers.first(name: "x-ms-resource-unit").flatMap { Int($0.trimmingCharacters(in: .whitespaces)) }
    }
}
