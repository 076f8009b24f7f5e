import Logging
import NIOCore
import NIOHTTPTypes
import Synchronization

/// What Hummingbird's HTTP/1 server leaves open: a deadline for each request head (from the connection's start for
/// the first, from the first byte of a later one), a deadline for each request's body, and a cap on open connections.
/// (Its `idleTimeout` covers the wait between requests.)
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

/// Closes its connection when it is one too many, when a request head has not arrived within the header timeout, or
/// when a request's body has not ended within the body timeout after its head.
///
/// Sits after the HTTP codec, so it sees whole heads: a client trickling a head byte by byte is closed at the header
/// deadline however steadily it sends. The first head's deadline runs from the connection's start; each later head's
/// from the first byte after the previous response ended (a `RequestStartWatcher` before the codec sees the bytes), so
/// the wait between requests stays the idle timeout's while a kept-alive client cannot trickle its next head forever.
final class ConnectionGuardHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private let guardrails: ConnectionGuardrails
    private var admitted: Bool?
    private var sawFirstHead = false
    /// Request heads received whose response has not ended (more than one when a client pipelines).
    private var unanswered = 0
    /// Between a request's head and its end.
    private var readingRequest = false
    private var deadline: Scheduled<Void>?
    private let watcher = RequestStartWatcher()

    init(_ guardrails: ConnectionGuardrails) {
        self.guardrails = guardrails
    }

    func handlerAdded(context: ChannelHandlerContext) {
        // Before the HTTP decoder, where the bytes of a head arrive before the head is whole.
        do {
            try context.pipeline.syncOperations.addHandler(watcher, position: .first)
        } catch {
            guardrails.logger.debug("Connection closed: its guardrails could not be installed (\(error))")
            context.close(promise: nil)
        }
        if context.channel.isActive { start(context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        start(context)
        context.fireChannelActive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        deadline?.cancel()
        deadline = nil
        watcher.onBytes = nil
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head:
            sawFirstHead = true
            unanswered += 1
            readingRequest = true
            watcher.onBytes = nil
            arm(context, after: guardrails.bodyReadTimeout, reason: "its request body did not arrive in time")
        case .body:
            break
        case .end:
            readingRequest = false
            deadline?.cancel()
            deadline = nil
            if unanswered == 0 { awaitNextHead(context) }
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = unwrapOutboundIn(data) {
            unanswered = max(0, unanswered - 1)
            if unanswered == 0, !readingRequest { awaitNextHead(context) }
        }
        context.write(data, promise: promise)
    }

    /// Every request is answered: the next head's deadline starts with its first byte (until then the connection is
    /// idle, which Hummingbird's idle timeout bounds).
    private func awaitNextHead(_ context: ChannelHandlerContext) {
        deadline?.cancel()
        deadline = nil
        watcher.onBytes = { [unowned self] in
            self.arm(context, after: self.guardrails.headerReadTimeout, reason: "a request head did not arrive in time")
        }
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

/// Sees a connection's bytes before the HTTP decoder and tells `onBytes` (once, then forgets it) when the next arrive:
/// how `ConnectionGuardHandler` learns that a request after the first has begun before its head is whole.
final class RequestStartWatcher: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    /// Called on the event loop at the next read, then cleared.
    var onBytes: (() -> Void)?

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if let onBytes {
            self.onBytes = nil
            onBytes()
        }
        context.fireChannelRead(data)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        onBytes = nil
    }
}

@available(*, unavailable)
extension RequestStartWatcher: Sendable {}
