/// How hard a tenant's clients may push Graph: the resource-unit budget to pace to and the most requests in flight.
///
/// Shared by every client of a tenant (see `GraphTenantRegistry`): the budget is Graph's per app per tenant.
public struct GraphPacing: Sendable, Hashable {
    /// The tenant's Graph budget in resource units per minute (1,250 for under 1,000 licences, up to 6,250);
    /// nil sends unpaced, backing off only when Graph throttles.
    public var resourceUnitsPerMinute: Int?
    /// Share of the budget to aim at, just under it so that timing noise does not tip calls into 429s.
    public var targetShare: Double
    /// Most requests (or transfers, see `GraphAPI.withTransferSlot`) in flight at once; adaptive concurrency stays
    /// at or under it.
    public var maxConcurrency: Int
    /// The sliding window Graph counts the budget over: a minute. Tests and benchmarks shorten it together with the
    /// simulator's, keeping the rate per minute.
    public var window: Duration

    /// Creates a pacing.
    public init(
        resourceUnitsPerMinute: Int? = nil, targetShare: Double = 0.95, maxConcurrency: Int = 16, window: Duration = .seconds(60)
    ) {
        self.resourceUnitsPerMinute = resourceUnitsPerMinute.map { max(1, $0) }
        self.targetShare = min(1, max(0.1, targetShare))
        self.maxConcurrency = max(1, maxConcurrency)
        self.window = window > .zero ? window : .seconds(60)
    }
}
