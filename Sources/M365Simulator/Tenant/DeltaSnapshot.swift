/// The item list of one delta enumeration, fixed at its first page and paged through by `@odata.nextLink` tokens.
///
/// Only ids are kept: each page renders its items when it is asked for, in their state at that moment (as Graph does,
/// an item changed while the enumeration runs shows its latest state, and shows up again in the next delta because
/// its change has a counter value above `counter`). Items created after the first page wait for the next delta.
struct DeltaSnapshot: Sendable {
    /// One listing of an item.
    struct Entry: Sendable {
        var id: String
        /// List the file as it was before its last content change (the first listing of a duplicated item).
        var earlierState = false
        /// Mark the item `@microsoft.graph.sharedChanged` (its sharing changed since the token, and it was asked).
        var sharingChanged = false
    }

    var driveID: String
    var entries: [Entry]
    /// Sizes of folders when the enumeration started (computing them per page would cost a pass over the drive).
    var folderSizes: [String: Int]
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
