import Logging
import NIOCore
import NIOHTTPTypes
import Synchronization

/// What Hummingbird's HTTP/1 server leaves open: a deadline for a new connection's first request head, a deadline
/// for each request's body, and a cap on open connections. (Its `idleTimeout` covers the wait between requests.)
///
/// `handlers()` gives each new connection its `ConnectionGuardHandler`; all of them share one count of open
/// connections.
struct ConnectionGuardrails: Sendable {
    let headerReadTimeout: TimeAmount
    let bodyReadTimeout: TimeAmount
    let connections: OpenConnectionCount
    let logger: Logger

    /// Guardrails with `configuration`'s timeouts and connection cap.
    init(_ configuration: ServerConfiguration, logger: Logger) {
        self.headerReadTimeout = TimeAmount(configuration.headerReadTimeout)
        self.bodyReadTimeout = TimeAmount(configuration.bodyReadTimeout)
        self.connections = OpenConnectionCount(maximum: configuration.maximumConnections)
        self.logger = logger
    }

    /// The handlers of one new connection (Hummingbird asks for them once per connection).
    func handlers() -> [any RemovableChannelHandler] {
        [ConnectionGuardHandler(self)]
    }
}

/// Connections open at once, shared by every connection's handler.
final class OpenConnectionCount: Sendable {
    private let open = Mutex(0)
    /// The most connections served at once.
    let maximum: Int

    init(maximum: Int) {
        self.maximum = max(1, maximum)
    }

    /// Counts a new connection in, unless `maximum` are open already.
    func admit() -> Bool {
        open.withLock { count in
            guard count < maximum else { return false }
            count += 1
            return true
        }
    }

    /// Counts a connection out.
    func release() {
        open.withLock { $0 -= 1 }
    }

    /// Connections open now.
    var current: Int { open.withLock { $0 } }
}

/// Closes its connection when it is one too many, when the first request's head has not arrived within the header
/// timeout, or when a request's body has not ended within the body timeout after its head.
///
/// Sits after the HTTP codec, so it sees whole heads: a client trickling a head byte by byte is closed at the header
/// deadline however steadily it sends.
final class ConnectionGuardHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart

    private let guardrails: ConnectionGuardrails
    private var admitted: Bool?
    private var sawFirstHead = false
    private var deadline: Scheduled<Void>?

    init(_ guardrails: ConnectionGuardrails) {
        self.guardrails = guardrails
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { start(context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        start(context)
        context.fireChannelActive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        deadline?.cancel()
        deadline = nil
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head:
            sawFirstHead = true
            arm(context, after: guardrails.bodyReadTimeout, reason: "its request body did not arrive in time")
        case .body:
            break
        case .end:
            deadline?.cancel()
            deadline = nil
        }
        context.fireChannelRead(data)
    }

    /// Admits or closes the connection once it is active (only once: both `handlerAdded` and `channelActive` call it).
    private func start(_ context: ChannelHandlerContext) {
        guard admitted == nil else { return }
        let connections = guardrails.connections
        guard connections.admit() else {
            admitted = false
            guardrails.logger.debug(
                "Connection refused: too many open", metadata: ["lifeboat.http.connections": "\(connections.maximum)"])
            context.close(promise: nil)
            return
        }
        admitted = true
        context.channel.closeFuture.whenComplete { _ in connections.release() }
        if !sawFirstHead {
            arm(context, after: guardrails.headerReadTimeout, reason: "its first request head did not arrive in time")
        }
    }

    private func arm(_ context: ChannelHandlerContext, after delay: TimeAmount, reason: String) {
        deadline?.cancel()
        let logger = guardrails.logger
        deadline = context.eventLoop.assumeIsolated().scheduleTask(in: delay) {
            logger.debug("Connection closed: \(reason)")
            context.close(promise: nil)
        }
    }
}

@available(*, unavailable)
extension ConnectionGuardHandler: Sendable {}
