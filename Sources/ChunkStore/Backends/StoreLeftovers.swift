/// What writes interrupted by a crash or a kill left in a store, as a clean-up removed it (see
/// `ObjectStore.removeLeftovers(olderThan:)`).
public struct StoreLeftovers: Sendable, Hashable {
    /// Leftovers removed: a local directory's temporary files, a bucket's incomplete multipart uploads.
    public var count = 0
    /// Their bytes, where the store can tell (temporary files; a bucket does not say what parts hold).
    public var bytes: Int64 = 0

    /// None.
    public init() {}
}

extension ObjectStore {
    /// A store whose writes leave nothing behind when interrupted has nothing to remove.
    public func removeLeftovers(olderThan age: Duration) async throws -> StoreLeftovers { StoreLeftovers() }
}
