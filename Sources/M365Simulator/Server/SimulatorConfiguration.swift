/// How to run a simulator: which tenant, where to listen, and how long links and tokens live.
public struct SimulatorConfiguration: Sendable {
    /// The tenant to generate.
    public var tenant: TenantSpec
    /// Address to bind (loopback by default).
    public var host: String = "127.0.0.1"
    /// Port to bind; 0 picks a free port (read it back from `RunningSimulator.port`).
    public var port: Int = 0
    /// Lifetime of pre-authenticated download URLs; requests after it answer 401.
    public var downloadURLLifetime: Duration = .seconds(3600)
    /// Lifetime of access tokens (`expires_in`); requests with an older token answer 401.
    public var accessTokenLifetime: Duration = .seconds(3599)
    /// Lifetime of upload sessions.
    public var uploadSessionLifetime: Duration = .seconds(3600)
    /// Faults to inject, reproducible from the plan's seed: server errors, budgets (resource units, requests, egress)
    /// answered 429 or 503, expired URLs, broken, slow and stalled downloads, files changed under the backup, repeated
    /// delta items, refused files, and upload faults; none by default.
    public var faults = FaultPlan()

    /// Creates a configuration for `tenant` listening on `host:port`.
    public init(tenant: TenantSpec, host: String = "127.0.0.1", port: Int = 0) {
        self.tenant = tenant
        self.host = host
        self.port = port
    }
}
