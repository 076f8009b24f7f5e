/// Every request the simulator answered, in order; tests use it to assert what a client called.
public actor RequestLog {
    private var log: [LoggedRequest] = []

    /// Creates an empty log.
    public init() {}

    /// Requests answered so far, oldest first.
    public func entries() -> [LoggedRequest] { log }

    /// Forgets all entries.
    public func reset() { log.removeAll() }

    func record(_ entry: LoggedRequest) { log.append(entry) }
}
