import Foundation
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle
import Synchronization

/// A webhook endpoint on loopback that keeps every body posted to it and answers the statuses a test scripts
/// (`503` twice, then `200`, say), for tests of what Lifeboat posts.
public final class WebhookReceiver: Sendable {
    private struct State {
        var bodies: [Data] = []
        var statuses: [Int]
        var posts = 0
    }

    /// The state the route handler and the test share.
    private final class Recorder: Sendable {
        let state: Mutex<State>
        init(statuses: [Int]) { state = Mutex(State(statuses: statuses)) }
    }

    /// The URL to post to, with a secret-looking path as real webhook URLs have.
    public let url: String
    private let recorder: Recorder
    private let delivered: AsyncStream<Int>.Continuation
    /// Yields the number of posts received so far after each post.
    public let posts: AsyncStream<Int>
    private let task: Task<Void, any Error>

    private init(url: String, recorder: Recorder, delivered: AsyncStream<Int>.Continuation, posts: AsyncStream<Int>, task: Task<Void, any Error>) {
        self.url = url
        self.recorder = recorder
        self.delivered = delivered
        self.posts = posts
        self.task = task
    }

    /// The JSON bodies posted so far, in order.
    public var bodies: [[String: Any]] {
        recorder.state.withLock { $0.bodies }.map { (try? JSONSerialization.jsonObject(with: $0)) as? [String: Any] ?? [:] }
    }

    /// Starts a receiver answering `statuses` in turn (then 200 for every later post), runs `body`, stops it.
    public static func with<Result>(
        answering statuses: [Int] = [], _ body: (WebhookReceiver) async throws -> Result
    ) async throws -> Result {
        let recorder = Recorder(statuses: statuses)
        let (posts, delivered) = AsyncStream.makeStream(of: Int.self)
        let router = Router()
        router.post("/hooks/:secret") { request, _ -> HTTPResponse.Status in
            let bytes = try await request.body.collect(upTo: 1 << 20)
            let json = Data(bytes.readableBytesView)
            let (status, count) = recorder.state.withLock { state -> (Int, Int) in
                state.posts += 1
                let status = state.statuses.isEmpty ? 200 : state.statuses.removeFirst()
                if status == 200 { state.bodies.append(json) }
                return (status, state.posts)
            }
            delivered.yield(count)
            return HTTPResponse.Status(code: status)
        }
        var logger = Logger(label: "WebhookReceiver")
        logger.logLevel = .warning
        let (ports, portContinuation) = AsyncStream.makeStream(of: Int.self)
        let app = Application(
            router: router, configuration: ApplicationConfiguration(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in
                portContinuation.yield(channel.localAddress?.port ?? 0)
                portContinuation.finish()
            }, logger: logger)
        let services = ServiceGroup(configuration: .init(services: [app], gracefulShutdownSignals: [], logger: logger))
        let task = Task { try await services.run() }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next() else {
            task.cancel()
            throw CancellationError()
        }
        let receiver = WebhookReceiver(
            url: "http://127.0.0.1:\(port)/hooks/T0-secret-token", recorder: recorder, delivered: delivered, posts: posts, task: task)
        defer {
            delivered.finish()
            task.cancel()
        }
        let result = try await body(receiver)
        await services.triggerGracefulShutdown()
        _ = await task.result
        return result
    }
}
