import M365Graph
import M365Simulator
import Testing

@Suite("Clients of one tenant share its throttle and its token")
struct GraphTenantRegistryTests {
    /// One call at a time, no throttled retry: a client that meets 429 gives up at once, after pausing the tenant.
    static let impatient = GraphClient.RetryPolicy(maxAttempts: 3, initialBackoff: .milliseconds(5), maxThrottledRetries: 0)

    @Test("a 429 met by one client pauses the other, which then goes through without being throttled; one sign-in serves both")
    func sharedPauseAndToken() async throws {
        var plan = FaultPlan(seed: 3)
        // One request per window: the second call of the window is throttled until the window ends.
        plan.requestBudget = FaultPlan.RequestBudget(requests: 1, window: .seconds(3))
        try await GraphClientHarness.with(configure: { $0.faults = plan }) { h in
            let registry = GraphTenantRegistry(httpClient: h.httpClient)
            let endpoints = GraphEndpoints(loginBaseURL: h.simulator.loginBaseURL, graphBaseURL: h.simulator.graphBaseURL)
            let credentials = GraphCredentials(
                tenantID: h.simulator.tenantID, clientID: h.simulator.clientID, clientSecret: h.simulator.clientSecret)
            let first = await registry.client(endpoints: endpoints, credentials: credentials, retryPolicy: Self.impatient, logger: GraphClientHarness.logger)
            let second = await registry.client(endpoints: endpoints, credentials: credentials, retryPolicy: Self.impatient, logger: GraphClientHarness.logger)

            _ = try await first.users()
            await #expect(throws: GraphError.self) { _ = try await second.users() }
            // Without the shared pause this call would land in the spent window and be throttled too.
            let users = try await first.users()
            #expect(users.count == (await h.tenant.users().count))

            let log = await h.simulator.requestLog.entries()
            #expect(log.filter { $0.path == "/v1.0/users" }.map(\.status) == [200, 429, 200])
            #expect(log.filter { $0.path.hasSuffix("/oauth2/v2.0/token") }.count == 1, "one token for both clients")
        }
    }

    @Test("a changed client secret signs in again instead of reusing the old secret's token")
    func changedSecretSignsInAgain() async throws {
        try await GraphClientHarness.with { h in
            let registry = GraphTenantRegistry(httpClient: h.httpClient)
            let endpoints = GraphEndpoints(loginBaseURL: h.simulator.loginBaseURL, graphBaseURL: h.simulator.graphBaseURL)
            func client(secret: String) async -> GraphClient {
                await registry.client(
                    endpoints: endpoints,
                    credentials: GraphCredentials(tenantID: h.simulator.tenantID, clientID: h.simulator.clientID, clientSecret: secret),
                    retryPolicy: Self.impatient, logger: GraphClientHarness.logger)
            }
            _ = try await client(secret: h.simulator.clientSecret).users()
            _ = try await client(secret: h.simulator.clientSecret).users()
            await #expect(throws: GraphError.self) { _ = try await client(secret: "revoked").users() }
            let signIns = await h.simulator.requestLog.entries().filter { $0.path.hasSuffix("/oauth2/v2.0/token") }
            #expect(signIns.map(\.status) == [200, 401])
        }
    }
}
