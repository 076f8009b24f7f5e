import AsyncHTTPClient
import BackupEngine
import Foundation
import LifeboatModel
import LifeboatTestSupport
import Logging
import NIOCore
import Testing

private func endedRun(_ state: JobRunState, failed: Int = 0) -> JobRun {
    var run = JobRun(externalID: "IB20261207100000000001", jobID: UUID(), organizationID: UUID(), kind: .backup)
    run.state = state
    run.startedAt = .iso8601("2026-12-07T10:00:00Z")
    run.endedAt = .iso8601("2026-12-07T10:05:00Z")
    run.counters.itemsFailed = failed
    run.counters.filesAdded = 12
    return run
}

/// Runs a notifier with `configuration` for the length of `body`, with its log captured; then lets it deliver what is
/// queued (`drain`) or stops it.
private func withNotifier<Result: Sendable>(
    _ configuration: WebhookNotifier.Configuration, drain: Bool = true,
    _ body: (WebhookNotifier, RecordedLog) async throws -> Result
) async throws -> (Result, [String]) {
    let log = RecordedLog()
    // As Lifeboat's own client is set up: a refused connection is an answer, not something to retry for 10 s.
    var clientConfiguration = HTTPClient.Configuration()
    clientConfiguration.connectionPool.retryConnectionEstablishment = false
    clientConfiguration.timeout.connect = .seconds(2)
    let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: clientConfiguration)
    let notifier = WebhookNotifier(configuration: configuration, httpClient: client, logger: log.logger(level: .info))
    let service = Task { try await notifier.run() }
    do {
        let result = try await body(notifier, log)
        if drain { notifier.finish() } else { service.cancel() }
        try? await service.value
        try await client.shutdown()
        return (result, log.entries.map(\.message))
    } catch {
        service.cancel()
        try? await client.shutdown()
        throw error
    }
}

@Suite("Run notifications go to a webhook, retried, without blocking the run or revealing the URL")
struct WebhookNotifierTests {
    @Test("a failed and a warning run are posted with a line for people and the facts for scripts; a success is not")
    func postsChosenStates() async throws {
        try await WebhookReceiver.with { receiver in
            _ = try await withNotifier(.init(url: receiver.url, retryDelays: [])) { notifier, _ in
                notifier.notify(run: endedRun(.succeeded), jobName: "daily-all", errors: [])
                notifier.notify(
                    run: endedRun(.failed), jobName: "daily-all",
                    errors: [RunError(message: "The secret was refused", itemPath: nil)])
                notifier.notify(
                    run: endedRun(.warning, failed: 2), jobName: "finance",
                    errors: [RunError(message: "423 locked", itemPath: "/Finance/a.xlsx")])
            }
            let bodies = receiver.bodies
            #expect(bodies.count == 2)
            #expect(bodies.first?["text"] as? String
                == "Lifeboat: backup 'daily-all' ended failed (run IB20261207100000000001). First error: The secret was refused")
            let facts = bodies.last?["lifeboat"] as? [String: Any]
            #expect(facts?["state"] as? String == "warning")
            #expect(facts?["jobName"] as? String == "finance")
            #expect(facts?["errors"] as? [String] == ["/Finance/a.xlsx: 423 locked"])
            #expect((facts?["counters"] as? [String: Any])?["itemsFailed"] as? Int == 2)
            #expect(facts?["endedAt"] as? String == "2026-12-07T10:05:00Z")
            #expect((bodies.last?["text"] as? String)?.contains("2 items failed") == true)
        }
    }

    @Test("a webhook that is down is retried until it answers; one that refuses is not; the log never shows its path")
    func retries() async throws {
        try await WebhookReceiver.with(answering: [503, 502]) { receiver in
            let (_, lines) = try await withNotifier(.init(url: receiver.url, retryDelays: [.milliseconds(10), .milliseconds(10)])) {
                notifier, _ in notifier.notify(run: endedRun(.failed), jobName: "daily-all", errors: [])
            }
            #expect(receiver.bodies.count == 1)
            #expect(lines.filter { $0.contains("retrying") }.count == 2)
            #expect(lines.contains { $0.contains("delivered") })
            #expect(!lines.contains { $0.contains("T0-secret-token") })
        }
        try await WebhookReceiver.with(answering: [404]) { receiver in
            let (_, lines) = try await withNotifier(.init(url: receiver.url, retryDelays: [.milliseconds(10)])) { notifier, _ in
                notifier.notify(run: endedRun(.failed), jobName: "daily-all", errors: [])
            }
            #expect(receiver.bodies.isEmpty)
            #expect(lines.contains { $0.contains("refused") })
        }
    }

    @Test("an unreachable webhook gives up after its retries, and notify returns at once however many wait")
    func unreachable() async throws {
        let closed = "http://127.0.0.1:9/hooks/T0-secret-token"
        let (elapsed, lines) = try await withNotifier(.init(url: closed, retryDelays: [.milliseconds(5)]), drain: false) {
            notifier, log in
            let start = ContinuousClock.now
            for _ in 0..<5_000 { notifier.notify(run: endedRun(.failed), jobName: "daily-all", errors: []) }
            let elapsed = ContinuousClock.now - start
            // The first delivery gives up after its retry, while the rest wait their turn.
            while !log.entries.contains(where: { $0.message.contains("giving up") }) { try await Task.sleep(for: .milliseconds(10)) }
            return elapsed
        }
        // notify is synchronous, so it cannot wait for a delivery; the bound only catches a queue that blocks when full.
        #expect(elapsed < .seconds(30))
        #expect(lines.contains { $0.contains("giving up") })
        #expect(!lines.contains { $0.contains("T0-secret-token") })
    }
}
