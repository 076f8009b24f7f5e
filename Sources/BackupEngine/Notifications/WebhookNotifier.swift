import AsyncHTTPClient
import Foundation
import LifeboatModel
import Logging
import NIOCore
import NIOHTTP1
import ServiceLifecycle

/// Posts a JSON notification to a webhook (a Teams or Slack incoming webhook, a Power Automate flow, an alerting tool)
/// when a run ends in one of the chosen states; a service of `lifeboat serve`.
///
/// `notify` never blocks and never fails the run: notifications wait in a bounded queue (the newest 1,000 are kept) and
/// the service delivers them one after another, retrying a failed delivery after each of `retryDelays`. A webhook URL
/// carries its secret in its path, so logs name only its host.
public final class WebhookNotifier: Service {
    /// Where and when to notify.
    public struct Configuration: Sendable {
        /// The webhook's URL (`https://…`).
        public var url: String
        /// The final states that are notified.
        public var states: Set<JobRunState>
        /// The waits before each retry of a failed delivery; one delivery is tried `retryDelays.count + 1` times.
        public var retryDelays: [Duration]
        /// How long one delivery may take.
        public var timeout: Duration

        /// A configuration; by default failed and warning runs are notified, retried after 2 s, 10 s, 30 s, 1 and 5 min.
        public init(
            url: String, states: Set<JobRunState> = [.failed, .warning],
            retryDelays: [Duration] = [.seconds(2), .seconds(10), .seconds(30), .seconds(60), .seconds(300)],
            timeout: Duration = .seconds(10)
        ) {
            self.url = url
            self.states = states
            self.retryDelays = retryDelays
            self.timeout = timeout
        }
    }

    /// Why a delivery failed.
    enum DeliveryFailure: Error {
        /// The webhook answered a status that retrying will not change (a wrong or revoked URL).
        case refused(status: UInt)
        /// The webhook answered a status worth retrying (5xx, 408, 429).
        case unavailable(status: UInt)
    }

    private let configuration: Configuration
    private let httpClient: HTTPClient
    private let logger: Logger
    private let queue: AsyncStream<RunNotification>
    private let continuation: AsyncStream<RunNotification>.Continuation
    /// The webhook's scheme and host: all that logs say of its URL.
    private let endpointName: String

    /// Creates a notifier posting through `httpClient` (owned by the caller).
    public init(configuration: Configuration, httpClient: HTTPClient, logger: Logger) {
        self.configuration = configuration
        self.httpClient = httpClient
        self.logger = logger
        (queue, continuation) = AsyncStream.makeStream(of: RunNotification.self, bufferingPolicy: .bufferingNewest(1_000))
        let url = URL(string: configuration.url)
        endpointName = "\(url?.scheme ?? "?")://\(url?.host ?? "?")"
    }

    /// Queues a notification of `run` if its state is one to notify; returns at once.
    public func notify(run: JobRun, jobName: String, errors: [RunError]) {
        guard configuration.states.contains(run.state) else { return }
        continuation.yield(RunNotification(run: run, jobName: jobName, errors: errors))
    }

    /// Delivers queued notifications until graceful shutdown; a delivery under way finishes or gives up first.
    public func run() async throws {
        for await notification in queue.cancelOnGracefulShutdown() {
            await deliver(notification)
        }
    }

    /// Stops taking notifications: `run` returns once the queue is delivered.
    public func finish() {
        continuation.finish()
    }

    private func deliver(_ notification: RunNotification) async {
        var logger = logger
        logger[metadataKey: "lifeboat.run.id"] = "\(notification.lifeboat.runID)"
        logger[metadataKey: "lifeboat.webhook"] = "\(endpointName)"
        let body: ByteBuffer
        do {
            let encoder = JSONEncoder()
            encoder.dateEncodingStrategy = .iso8601
            encoder.outputFormatting = .sortedKeys
            body = ByteBuffer(bytes: try encoder.encode(notification))
        } catch {
            logger.error("A run notification could not be encoded", metadata: ["lifeboat.error": "\(error)"])
            return
        }
        let attempts = configuration.retryDelays.count + 1
        for attempt in 1...attempts {
            do {
                try await post(body)
                logger.info("Run notification delivered", metadata: ["lifeboat.attempt": "\(attempt)"])
                return
            } catch DeliveryFailure.refused(let status) {
                logger.error(
                    "The webhook refused the run notification; check its URL",
                    metadata: ["lifeboat.http.status": "\(status)"])
                return
            } catch {
                guard attempt < attempts else {
                    logger.error(
                        "The run notification could not be delivered; giving up",
                        metadata: ["lifeboat.attempt": "\(attempt)", "lifeboat.error": "\(Self.describe(error))"])
                    return
                }
                logger.warning(
                    "The run notification could not be delivered; retrying",
                    metadata: ["lifeboat.attempt": "\(attempt)", "lifeboat.error": "\(Self.describe(error))"])
                do {
                    try await Task.sleep(for: configuration.retryDelays[attempt - 1])
                } catch {
                    return
                }
            }
        }
    }

    private func post(_ body: ByteBuffer) async throws {
        var request = HTTPClientRequest(url: configuration.url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "User-Agent", value: "Lifeboat/\(LifeboatVersion.current)")
        request.body = .bytes(body)
        let seconds = configuration.timeout.components.seconds
        let response = try await httpClient.execute(request, timeout: .seconds(max(1, seconds)))
        // The answer's body is of no use; read a little of it so the connection can be reused.
        _ = try? await response.body.collect(upTo: 64 << 10)
        switch response.status.code {
        case 200..<300: return
        case 408, 429, 500..<600: throw DeliveryFailure.unavailable(status: response.status.code)
        default: throw DeliveryFailure.refused(status: response.status.code)
        }
    }

    /// An error in words that never include the webhook's URL.
    private static func describe(_ error: any Error) -> String {
        switch error {
        case DeliveryFailure.unavailable(let status): "the webhook answered \(status)"
        case let error as HTTPClientError: "\(error)"
        default: String(describing: type(of: error))
        }
    }
}
