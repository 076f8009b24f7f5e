/// A frozen result list of one delta enumeration, paged through by `@odata.nextLink` tokens.
///
/// Freezing the list at the first page keeps paging consistent while the tenant changes: later changes have counter
/// values above `counter` and show up in the next delta started from the final `@odata.deltaLink`.
struct DeltaSnapshot: Sendable {
    var driveID: String
    var items: [SimulatedItem]
    /// Drive counter when the enumeration started; becomes the delta link's token.
    var counter: Int
    var pageSize: Int
}

/// One page of a delta enumeration as the HTTP layer renders it.
struct DeltaPage: Sendable {
    var items: [SimulatedItem]
    /// Opaque token for `@odata.nextLink`, nil on the last page.
    var nextToken: String?
    /// Opaque token for `@odata.deltaLink`, set on the last page only.
    var deltaToken: String?
}
