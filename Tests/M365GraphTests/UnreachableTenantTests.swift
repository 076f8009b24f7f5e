import AsyncHTTPClient
import Foundation
import LifeboatTestSupport
import Logging
import M365Graph
import M365Simulator
import Testing

/// A tenant whose endpoints cannot be reached fails promptly, saying which URL and why, and shows each retry as it happens.
@Suite("An unreachable tenant")
struct UnreachableTenantTests {
    @Test("a closed loopback port: four sign-in attempts, each retry logged, then 'cannot reach URL: connection refused' in seconds")
    func closedPortFailsPromptly() async throws {
        // A port nothing listens on any more: the simulator's, once it is shut down.
        let simulator = try await RunningSimulator.start(SimulatorConfiguration(tenant: .small(seed: 3)), logger: .quiet("test"))
        let endpoints = GraphEndpoints(loginBaseURL: simulator.loginBaseURL, graphBaseURL: simulator.graphBaseURL)
        let credentials = GraphCredentials(tenantID: simulator.tenantID, clientID: simulator.clientID, clientSecret: simulator.clientSecret)
        try await simulator.shutdown()

        let log = RecordedLog()
        let httpClient = GraphClient.makeHTTPClient()
        let client = GraphClient(
            httpClient: httpClient, endpoints: endpoints, credentials: credentials,
            retryPolicy: GraphClient.RetryPolicy(
                maxAttempts: 3, initialBackoff: .milliseconds(10),
                signInRetryDelays: [.milliseconds(20), .milliseconds(40), .milliseconds(80)]),
            logger: log.logger(level: .warning))
        let tokenURL = "\(endpoints.loginBaseURL)/\(credentials.tenantID)/oauth2/v2.0/token"
        let started = ContinuousClock.now
        let failure = await #expect(throws: GraphError.self) { _ = try await client.users() }
        let elapsed = ContinuousClock.now - started
        try await httpClient.shutdown()

        #expect(failure == .unreachable(url: tokenURL, reason: "connection refused"))
        #expect(failure?.description == "Cannot reach \(tokenURL): connection refused.")
        #expect(elapsed < .seconds(5), "no minutes of silence: \(elapsed)")
        let retries = log.entries.map(\.message)
        #expect(retries.count == 3, "\(retries)")
        for (index, message) in retries.enumerated() {
            #expect(message.contains("Cannot reach \(tokenURL): connection refused.") && message.contains("attempt \(index + 2) of 4"), "\(message)")
        }
    }
}
