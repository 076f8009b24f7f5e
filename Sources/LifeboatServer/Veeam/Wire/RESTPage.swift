/// `PageOf<T>`: one page of a collection, with links to the first, previous, this and next pages.
struct RESTPage<Element: Encodable & Sendable>: Encodable, Sendable {
    var offset: Int
    var limit: Int
    var totalCount: Int
    var results: [Element]
    var _links: [String: RESTLink]
}
