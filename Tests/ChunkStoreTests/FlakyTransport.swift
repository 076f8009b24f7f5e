import AsyncHTTPClient
import NIOCore
import NIOHTTP1
import Synchronization

@testable import ChunkStore

/// Forwards to a real transport but answers the first `failures` requests itself: with HTTP 500, or by throwing
/// as a dropped connection would. Moto cannot inject faults, so this is how retries are exercised end to end.
final class FlakyTransport: S3Transport {
    enum Failure: Sendable { case serverError, connectionDropped }
    struct DroppedConnection: Error {}

    let base: any S3Transport
    let failure: Failure
    private let state: Mutex<(remaining: Int, requests: Int)>

    init(base: any S3Transport, failures: Int, failure: Failure) {
        self.base = base
        self.failure = failure
        self.state = Mutex((failures, 0))
    }

    /// How many requests reached this transport, injected failures included.
    var requests: Int { state.withLock { $0.requests } }

    func send(_ request: HTTPClientRequest, timeout: TimeAmount) async throws -> S3Response {
        let fail = state.withLock { state in
            state.requests += 1
            guard state.remaining > 0 else { return false }
            state.remaining -= 1
            return true
        }
        guard fail else { return try await base.send(request, timeout: timeout) }
        switch failure {
        case .serverError:
            return S3Response(
                status: .internalServerError, headers: [:],
                body: ByteBuffer(string: "<Error><Code>InternalError</Code><Message>injected</Message></Error>"))
        case .connectionDropped:
            throw DroppedConnection()
        }
    }
}
