import Foundation
@testable import M365Graph
import M365Simulator
import NIOCore
import Testing

/// Answers that once lost information or left the tenant unprotected: a 410 without JSON, a relative `Location`, a
/// `Retry-After` longer than the client accepts.
@Suite("GraphClient under hostile answers")
struct GraphClientHostileAnswerTests {
    @Test("a 410 means resyncRequired whatever its body, and keeps its Location")
    func goneWithoutJSONKeepsLocation() {
        let location = "https://graph.microsoft.com/v1.0/drives/d/root/delta?token=fresh"
        let html = ByteBuffer(string: "<html><body>410 Gone</body></html>")
        #expect(GraphClient.serviceError(status: 410, body: html, location: location) == .resyncRequired(location: location))
        #expect(GraphClient.serviceError(status: 410, body: nil, location: location) == .resyncRequired(location: location))
        let json = ByteBuffer(string: #"{"error":{"code":"resyncRequired","message":"Resync required."}}"#)
        #expect(GraphClient.serviceError(status: 410, body: json, location: nil) == .resyncRequired(location: nil))
        #expect(
            GraphClient.serviceError(status: 404, body: html)
                == .service(status: 404, code: "http404", message: "HTTP 404", requestID: nil))
    }

    @Test("a relative Location is resolved against the Graph base URL; an absolute one is kept")
    func relativeLocationIsResolved() {
        let base = "http://127.0.0.1:8443/v1.0"
        #expect(
            GraphClient.resolved("/v1.0/drives/d/root/delta?token=x", graphBaseURL: base)
                == "http://127.0.0.1:8443/v1.0/drives/d/root/delta?token=x")
        #expect(
            GraphClient.resolved("drives/d/root/delta?token=x", graphBaseURL: base) == "http://127.0.0.1:8443/v1.0/drives/d/root/delta?token=x")
        #expect(
            GraphClient.resolved(" https://graph.microsoft.com/v1.0/drives/d/root/delta?token=x ", graphBaseURL: base)
                == "https://graph.microsoft.com/v1.0/drives/d/root/delta?token=x")
    }

    @Test("a Retry-After longer than the client accepts still pauses the tenant, for the longest accepted pause, before the call fails")
    func longRetryAfterPausesTheTenant() async throws {
        var plan = FaultPlan(seed: 5)
        plan.throttleShare = 1
        plan.retryAfterSeconds = 3600
        try await GraphClientHarness.with(configure: { $0.faults = plan }) { h in
            let gate = ThrottleGate()
            let endpoints = GraphEndpoints(loginBaseURL: h.simulator.loginBaseURL, graphBaseURL: h.simulator.graphBaseURL)
            let credentials = GraphCredentials(
                tenantID: h.simulator.tenantID, clientID: h.simulator.clientID, clientSecret: h.simulator.clientSecret)
            let pacing = GraphPacing()
            let maxRetryAfter = Duration.seconds(30)
            let client = GraphClient(
                httpClient: h.httpClient, endpoints: endpoints,
                tokens: GraphTokenProvider(
                    httpClient: h.httpClient, endpoints: endpoints, credentials: credentials, userAgent: GraphClient.userAgent,
                    retryDelays: [], logger: GraphClientHarness.logger),
                throttle: gate, pacer: ResourceUnitPacer(pacing: pacing), limiter: ConcurrencyLimiter(ceiling: pacing.maxConcurrency),
                retryPolicy: GraphClient.RetryPolicy(maxAttempts: 3, initialBackoff: .milliseconds(1), maxRetryAfter: maxRetryAfter),
                pageSize: 200, logger: GraphClientHarness.logger)

            #expect(await gate.pausedUntil == nil)
            let before = ContinuousClock.now
            await #expect(throws: GraphError.throttled(retryAfterSeconds: 3600)) { _ = try await client.users() }
            let after = ContinuousClock.now
            let until = try #require(await gate.pausedUntil, "the tenant is paused though this call gave up")
            #expect(until >= before + maxRetryAfter)
            #expect(until <= after + maxRetryAfter, "the pause is capped at maxRetryAfter, not an hour")
        }
    }
}
