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

    /// Creates an entry (tests compare against expected entries).
    public init(method: String, path: String, query: String, status: Int) {
        self.method = method
        self.path = path
        self.query = query
        self.status = status
    }
}
