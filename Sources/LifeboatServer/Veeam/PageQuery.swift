import Foundation
import Hummingbird

/// The paging parameters of a Veeam collection (`offset`, default 0; `limit`, default 30, at most 10 000).
///
/// A malformed or out-of-range value is a `RequestError.invalidField` naming the parameter (400).
struct PageQuery: Sendable {
    /// Items skipped.
    var offset: Int
    /// Items per page.
    var limit: Int

    /// Veeam's default page size.
    static let defaultLimit = 30
    /// Veeam's largest page.
    static let maximumLimit = 10_000

    /// Validates `offset` and `limit` of a query.
    init(_ query: CaseInsensitiveQuery) throws {
        offset = try Self.integer(query, "offset", default: 0, in: 0...Int(Int32.max))
        limit = try Self.integer(query, "limit", default: Self.defaultLimit, in: 1...Self.maximumLimit)
    }

    private static func integer(_ query: CaseInsensitiveQuery, _ name: String, default value: Int, in range: ClosedRange<Int>) throws -> Int {
        guard let raw = query[name]?.trimmingCharacters(in: .whitespaces), !raw.isEmpty else { return value }
        guard let number = Int(raw), range.contains(number) else {
            throw RequestError.invalidField(
                name: name, reason: "'\(raw)' is not an integer from \(range.lowerBound) to \(range.upperBound)")
        }
        return number
    }

    /// The page of `all` this query selects, with `first`, `prev`, `self` and `next` links to the request's path
    /// (its other query parameters kept as sent).
    func page<Element: Encodable & Sendable>(_ all: [Element], request: Request) -> RESTPage<Element> {
        let start = min(offset, all.count)
        return page(Array(all[start..<min(all.count, start + limit)]), totalCount: all.count, request: request)
    }

    /// A page whose `results` were already selected with this query's `offset` and `limit` (by the catalog, say), out
    /// of `totalCount` items.
    func page<Element: Encodable & Sendable>(_ results: [Element], totalCount: Int, request: Request) -> RESTPage<Element> {
        let kept = (request.uri.query ?? "").split(separator: "&").filter { pair in
            let name = pair.split(separator: "=", maxSplits: 1).first.map { String($0).lowercased() } ?? ""
            return name != "offset" && name != "limit"
        }.map(String.init)
        func href(_ offset: Int) -> RESTLink {
            RESTLink(href: "\(request.uri.path)?\((kept + ["offset=\(offset)", "limit=\(limit)"]).joined(separator: "&"))")
        }
        var links = ["first": href(0), "self": href(offset)]
        if offset > 0 { links["prev"] = href(max(0, offset - limit)) }
        if offset + limit < totalCount { links["next"] = href(offset + limit) }
        return RESTPage(offset: offset, limit: limit, totalCount: totalCount, results: results, _links: links)
    }
}
