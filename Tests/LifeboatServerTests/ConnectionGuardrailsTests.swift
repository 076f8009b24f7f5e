import BackupEngine
import Catalog
import Foundation
import HTTPTypes
import HummingbirdTesting
import LifeboatModel
import LifeboatServer
import LifeboatTestSupport
import NIOCore
import NIOPosix
import Testing

/// A TCP connection to the server on loopback, driven byte by byte as a slow or idle client would.
struct RawConnection: Sendable {
    let channel: any Channel
    /// Everything the server sent, once it has closed the connection.
    private let received: EventLoopFuture<String>
    /// Completed when the server's first bytes arrive.
    private let replied: EventLoopFuture<Void>

    /// Collects what the server sends until the connection closes.
    private final class Collector: ChannelInboundHandler {
        typealias InboundIn = ByteBuffer
        private var text = ""
        private let done: EventLoopPromise<String>
        private let firstBytes: EventLoopPromise<Void>
        private var replied = false

        init(done: EventLoopPromise<String>, firstBytes: EventLoopPromise<Void>) {
            self.done = done
            self.firstBytes = firstBytes
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            text += String(buffer: unwrapInboundIn(data))
            if !replied {
                replied = true
                firstBytes.succeed()
            }
        }

        func channelInactive(context: ChannelHandlerContext) {
            done.succeed(text)
            if !replied { firstBytes.fail(ChannelError.eof) }
            context.fireChannelInactive()
        }
    }

    /// Connects to `localhost:port`.
    static func open(port: Int) async throws -> RawConnection {
        let loop = MultiThreadedEventLoopGroup.singleton.next()
        let done = loop.makePromise(of: String.self)
        let firstBytes = loop.makePromise(of: Void.self)
        let channel = try await ClientBootstrap(group: loop)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(Collector(done: done, firstBytes: firstBytes))
                }
            }
            .connect(host: "localhost", port: port).get()
        return RawConnection(channel: channel, received: done.futureResult, replied: firstBytes.futureResult)
    }

    /// Returns once the server has sent something (an answer's first bytes); throws if it closed without a word.
    func firstReply() async throws {
        try await replied.get()
    }

    /// Sends text; fails once the server has closed the connection.
    func send(_ text: String) async throws {
        try await channel.writeAndFlush(ByteBuffer(string: text))
    }

    /// How long the server took to close the connection, counted from `since`; nil when it was still open at `limit`.
    func closed(since start: ContinuousClock.Instant, within limit: Duration) async throws -> Duration? {
        try await withThrowingTaskGroup(of: Duration?.self) { group in
            group.addTask {
                try? await channel.closeFuture.get()
                return ContinuousClock.now - start
            }
            group.addTask {
                try await Task.sleep(until: start + limit)
                return nil
            }
            let first = try await group.next() ?? nil
            group.cancelAll()
            return first
        }
    }

    /// Sends a header line every 100 ms for 10 s, as a client trickling its head does; cancel the task to stop.
    func trickleHeaderLines() -> Task<Void, any Error> {
        Task {
            for line in 0..<100 {
                try await Task.sleep(for: .milliseconds(100))
                try await send("X-Slow-\(line): 1\r\n")
            }
        }
    }

    /// Everything the server sent until it closed the connection.
    func readToEnd() async throws -> String {
        try await received.get()
    }

    /// `GET /health` on a fresh connection; the answer's text, empty when the server closed the connection unanswered.
    static func health(port: Int) async throws -> String {
        let connection = try await open(port: port)
        try? await connection.send("GET /health HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
        return (try? await connection.readToEnd()) ?? ""
    }
}

@Suite("HTTP connection guardrails: header, body and idle timeouts and the connection cap, over real sockets")
struct ConnectionGuardrailsTests {
    @Test("a client trickling its request head is closed at the header timeout, and /health answers meanwhile")
    func slowHeadIsClosed() async throws {
        let configuration = ServerConfiguration(port: 0, headerReadTimeout: .seconds(1), idleTimeout: .seconds(30))
        try await VeeamAPIHarness.with(configuration: configuration, testing: .live) { api in
            let port = try #require(api.client.port)
            let slow = try await RawConnection.open(port: port)
            let start = ContinuousClock.now
            try await slow.send("GET /health HTTP/1.1\r\nHost: localhost\r\n")
            let trickle = slow.trickleHeaderLines()
            #expect(try await RawConnection.health(port: port).hasPrefix("HTTP/1.1 200"), "others are served meanwhile")
            let closedAfter = try await slow.closed(since: start, within: .seconds(15))
            trickle.cancel()
            let elapsed = try #require(closedAfter, "the slow connection was never closed")
            #expect(elapsed >= .milliseconds(950) && elapsed < .seconds(20), "closed after \(elapsed)")
            #expect(try await RawConnection.health(port: port).hasPrefix("HTTP/1.1 200"))
        }
    }

    /// Serves with a 1 s header timeout and a 30 s idle timeout, and hands `body` a connection whose first request
    /// (`GET /health`, kept alive) has been answered.
    static func withAnsweredConnection(_ body: @escaping @Sendable (RawConnection) async throws -> Void) async throws {
        let configuration = ServerConfiguration(port: 0, headerReadTimeout: .seconds(1), idleTimeout: .seconds(30))
        try await VeeamAPIHarness.with(configuration: configuration, testing: .live) { api in
            let connection = try await RawConnection.open(port: try #require(api.client.port))
            try await connection.send("GET /health HTTP/1.1\r\nHost: localhost\r\n\r\n")
            try await connection.firstReply()
            try await body(connection)
        }
    }

    @Test("on a kept-alive connection, a client trickling its second request head is closed at the header timeout")
    func slowSecondHeadIsClosed() async throws {
        try await Self.withAnsweredConnection { slow in
            let start = ContinuousClock.now
            try await slow.send("GET /health HTTP/1.1\r\nHost: localhost\r\n")
            let trickle = slow.trickleHeaderLines()
            let closedAfter = try await slow.closed(since: start, within: .seconds(15))
            trickle.cancel()
            let elapsed = try #require(closedAfter, "the connection trickling its second head was never closed")
            #expect(elapsed >= .milliseconds(950) && elapsed < .seconds(20), "closed after \(elapsed)")
            let sent = try await slow.readToEnd()
            #expect(sent.components(separatedBy: "HTTP/1.1 200").count == 2, "only the first request was answered: \(sent)")
        }
    }

    @Test("a kept-alive connection quiet for longer than the header timeout (within the idle timeout) is still served")
    func quietKeptAliveConnectionIsServed() async throws {
        try await Self.withAnsweredConnection { quiet in
            // Nothing to await: the point is that nothing happens while the client is quiet.
            try await Task.sleep(for: .milliseconds(2_000))
            try await quiet.send("GET /health HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
            let sent = try await quiet.readToEnd()
            #expect(sent.components(separatedBy: "HTTP/1.1 200").count == 3, "both requests were answered: \(sent)")
        }
    }

    @Test("a request whose body stops arriving is closed at the body timeout")
    func stalledBodyIsClosed() async throws {
        let configuration = ServerConfiguration(port: 0, bodyReadTimeout: .milliseconds(500), idleTimeout: .seconds(30))
        try await VeeamAPIHarness.with(configuration: configuration, testing: .live) { api in
            let port = try #require(api.client.port)
            let stalled = try await RawConnection.open(port: port)
            let start = ContinuousClock.now
            try await stalled.send(
                "POST /v6/Token HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                    + "Content-Length: 100\r\n\r\ngrant_type=pass")
            let elapsed = try #require(try await stalled.closed(since: start, within: .seconds(10)), "never closed")
            #expect(elapsed >= .milliseconds(450) && elapsed < .seconds(20), "closed after \(elapsed)")
        }
    }

    @Test("a kept-alive connection left idle is closed at the idle timeout")
    func idleConnectionIsClosed() async throws {
        // Long enough that a loaded machine sends the request before the new connection counts as idle.
        let configuration = ServerConfiguration(port: 0, headerReadTimeout: .seconds(30), idleTimeout: .seconds(3))
        try await VeeamAPIHarness.with(configuration: configuration, testing: .live) { api in
            let port = try #require(api.client.port)
            let idle = try await RawConnection.open(port: port)
            try await idle.send("GET /health HTTP/1.1\r\nHost: localhost\r\n\r\n")
            let start = ContinuousClock.now
            let answer = try await idle.readToEnd()
            #expect(answer.hasPrefix("HTTP/1.1 200"), "\(answer)")
            let elapsed = ContinuousClock.now - start
            #expect(elapsed >= .milliseconds(2_500) && elapsed < .seconds(15), "closed after \(elapsed)")
        }
    }

    @Test("connections beyond the cap are closed at once, long before any timeout; once others close, /health answers again")
    func connectionsBeyondTheCapAreClosed() async throws {
        let configuration = ServerConfiguration(
            port: 0, headerReadTimeout: .seconds(60), idleTimeout: .seconds(60), maximumConnections: 3)
        try await VeeamAPIHarness.with(configuration: configuration, testing: .live) { api in
            let port = try #require(api.client.port)
            // The test client's own connection is one of the three once it has been used.
            #expect(try await api.send(.get, "/health").status == .ok)
            let held = [try await RawConnection.open(port: port), try await RawConnection.open(port: port)]
            for _ in 0..<5 {
                let extra = try await RawConnection.open(port: port)
                let closedAfter = try await extra.closed(since: ContinuousClock.now, within: .seconds(10))
                #expect(closedAfter != nil, "a connection beyond the cap is closed long before the header timeout")
            }
            #expect(try await RawConnection.health(port: port).isEmpty, "at the cap, even /health waits its turn")
            for connection in held { try await connection.channel.close() }
            // The server counts a connection out once it has seen it close: ask until it has.
            var answer = ""
            for _ in 0..<50 where !answer.hasPrefix("HTTP/1.1 200") {
                answer = try await RawConnection.health(port: port)
            }
            #expect(answer.hasPrefix("HTTP/1.1 200"), "\(answer)")
        }
    }
}
