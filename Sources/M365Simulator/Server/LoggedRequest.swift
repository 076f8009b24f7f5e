/// One request the simulator answered.
public struct LoggedRequest: Sendable, Hashable {
    /// HTTP method, e.g. "GET".
    public var method: String
    /// Path without the query, percent-encoded as received.
    public var path: String
    /// Raw query string, empty when absent.
    public var query: String
    /// Response status code.
    public var status: Int
    /// The `Range` header of the request, when it had one (a resumed download, say).
    public var range: String?
    /// The fault the simulator injected into this request, when it did (`status` is then the fault's).
    public var fault: SimulatedFault?
    /// The request's `User-Agent`, when it sent one.
    public var userAgent: String?
    /// Resource units the request spent against the budget (`x-ms-resource-unit`); nil without a budget.
    public var resourceUnits: Int?

    /// Creates an entry (tests compare against expected entries).
    public init(
        method: String, path: String, query: String, status: Int, range: String? = nil, fault: SimulatedFault? = nil,
        userAgent: String? = nil, resourceUnits: Int? = nil
    ) {
        self.method = method
        self.path = path
        self.query = query
        self.status = status
        self.range = range
        self.fault = fault
        self.userAgent = userAgent
        self.resourceUnits = resourceUnits
    }
}
