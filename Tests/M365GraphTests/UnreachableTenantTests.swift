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
        // Before, the HTTP client retried a refused connection silently until its 30 s connect timeout, four times over.
        #expect(elapsed < .seconds(30), "no minutes of silence: \(elapsed)")
        let retries = log.entries.map(\.message)
        #expect(retries.count == 3, "\(retries)")
        for (index, message) in retries.enumerated() {
            #expect(message.contains("Cannot reach \(tokenURL): connection refused.") && message.contains("attempt \(index + 2) of 4"), "\(message)")
        }
    }

    @Test("a data call during a short outage (Graph restarted on its port after several refused attempts) is retried within its time budget and succeeds")
    func dataCallOutlastsAShortOutage() async throws {
        let configuration = SimulatorConfiguration(tenant: .small(seed: 3))
        let simulator = try await RunningSimulator.start(configuration, logger: .quiet("test"))
        let endpoints = GraphEndpoints(loginBaseURL: simulator.loginBaseURL, graphBaseURL: simulator.graphBaseURL)
        let credentials = GraphCredentials(tenantID: simulator.tenantID, clientID: simulator.clientID, clientSecret: simulator.clientSecret)
        let log = RecordedLog()
        let httpClient = GraphClient.makeHTTPClient()
        // Two attempts per call: counted attempts alone would give up after the first refusal.
        let client = GraphClient(
            httpClient: httpClient, endpoints: endpoints, credentials: credentials,
            retryPolicy: GraphClient.RetryPolicy(
                maxAttempts: 2, initialBackoff: .milliseconds(50), unreachableBudget: .seconds(30),
                maxUnreachableBackoff: .milliseconds(400)),
            logger: log.logger(level: .warning))
        let users = try await client.users()
        try await simulator.shutdown()

        let call = Task { try await client.users() }
        // Down for several refused attempts, then back on the same port (same seed: the same tenant).
        let deadline = ContinuousClock.now + .seconds(20)
        while log.entries.count < 4 {
            try #require(ContinuousClock.now < deadline, "no retries logged: \(log.entries.map(\.message))")
            try await Task.sleep(for: .milliseconds(20))
        }
        var restarted = configuration
        restarted.port = simulator.port
        let back = try await RunningSimulator.start(restarted, logger: .quiet("test"))
        let result = await call.result
        try await back.shutdown()
        try await httpClient.shutdown()

        #expect(try result.get().map(\.id) == users.map(\.id), "the call outlasted the outage")
        let retries = log.entries.map(\.message)
        #expect(retries.allSatisfy { $0.contains("Cannot reach") && $0.contains("connection refused") }, "\(retries)")
    }
}
