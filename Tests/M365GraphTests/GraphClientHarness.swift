import AsyncHTTPClient
import Logging
import M365Graph
import M365Simulator

/// A simulator on loopback and a `GraphClient` signed in to it as the tenant's app registration, for one test.
struct GraphClientHarness {
    let simulator: RunningSimulator
    let httpClient: HTTPClient
    let client: GraphClient

    var tenant: SimulatedTenant { simulator.tenant }

    /// Starts a simulator for `spec`, runs `body` with a client using `pageSize` and `retryPolicy`, and always shuts both down.
    static func with<Result>(
        _ spec: TenantSpec = .small(seed: 5), pageSize: Int = 200,
        retryPolicy: GraphClient.RetryPolicy = GraphClient.RetryPolicy(maxAttempts: 3, initialBackoff: .milliseconds(10)),
        configure: (inout SimulatorConfiguration) -> Void = { _ in },
        _ body: (GraphClientHarness) async throws -> Result
    ) async throws -> Result {
        var configuration = SimulatorConfiguration(tenant: spec)
        configure(&configuration)
        let simulator = try await RunningSimulator.start(configuration, logger: logger)
        let httpClient = GraphClient.makeHTTPClient()
        let harness = GraphClientHarness(
            simulator: simulator, httpClient: httpClient,
            client: makeClient(
                simulator: simulator, httpClient: httpClient, secret: simulator.clientSecret, retryPolicy: retryPolicy,
                pageSize: pageSize))
        do {
            let result = try await body(harness)
            try await httpClient.shutdown()
            try await simulator.shutdown()
            return result
        } catch {
            try? await httpClient.shutdown()
            try? await simulator.shutdown()
            throw error
        }
    }

    /// Another client of the same simulator, signed in with `secret` to `tenantID` (the real ones by default).
    func client(secret: String, tenantID: String? = nil) -> GraphClient {
        Self.makeClient(
            simulator: simulator, httpClient: httpClient, secret: secret, tenantID: tenantID,
            retryPolicy: GraphClient.RetryPolicy(maxAttempts: 3, initialBackoff: .milliseconds(10)), pageSize: 200)
    }

    private static func makeClient(
        simulator: RunningSimulator, httpClient: HTTPClient, secret: String, tenantID: String? = nil,
        retryPolicy: GraphClient.RetryPolicy, pageSize: Int
    ) -> GraphClient {
        GraphClient(
            httpClient: httpClient,
            endpoints: GraphEndpoints(loginBaseURL: simulator.loginBaseURL, graphBaseURL: simulator.graphBaseURL),
            credentials: GraphCredentials(
                tenantID: tenantID ?? simulator.tenantID, clientID: simulator.clientID, clientSecret: secret),
            retryPolicy: retryPolicy, pageSize: pageSize, logger: logger)
    }

    /// A logger that only speaks up for warnings.
    static var logger: Logger {
        var logger = Logger(label: "lifeboat.test.graph")
        logger.logLevel = .warning
        return logger
    }
}
