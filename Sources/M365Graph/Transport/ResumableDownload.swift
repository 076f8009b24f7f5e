import AsyncHTTPClient
import NIOCore
import NIOHTTP1

/// The bytes of one file from a download URL, resumed with `Range: bytes=<received>-` when the body breaks and
/// re-addressed through Graph's `/content` when the URL expires, so the consumer sees one continuous stream.
///
/// Gives up with `GraphError.transport` after `maxFailures` consecutive attempts that brought no byte.
struct ResumableDownload: AsyncSequence, Sendable {
    typealias Element = ByteBuffer

    /// Where the bytes come from: a pre-authenticated URL, or Graph's `/content` itself when it answered directly.
    struct Source: Sendable {
        var url: String
        var authorized: Bool
    }

    /// What opening a source from an offset gave.
    enum Opening: Sendable {
        /// The body: 200 for the whole file, 206 from the offset.
        case body(HTTPClientResponse)
        /// The URL no longer serves (401, 403 or 410); `error` is what to throw if renewing does not help.
        case expired(GraphError)
    }

    /// Opens `source` from `offset` (no `Range` header at 0).
    typealias Open = @Sendable (_ source: Source, _ offset: Int64) async throws -> Opening
    /// Asks Graph's `/content` for a fresh source of the same file and version.
    typealias Renew = @Sendable () async throws -> Source

    let source: Source
    let firstResponse: HTTPClientResponse
    let open: Open
    let renew: Renew
    let maxFailures: Int
    let initialBackoff: Duration

    func makeAsyncIterator() -> Iterator {
        Iterator(download: self, source: source, pending: firstResponse)
    }

    /// Iterates the body, reopening it where it broke.
    struct Iterator: AsyncIteratorProtocol {
        let download: ResumableDownload
        var source: Source
        var pending: HTTPClientResponse?
        var body: HTTPClientResponse.Body.AsyncIterator?
        var received: Int64 = 0
        var expectedLength: Int64?
        var skip: Int64 = 0
        var failures = 0

        init(download: ResumableDownload, source: Source, pending: HTTPClientResponse) {
            self.download = download
            self.source = source
            self.pending = pending
        }

        mutating func next() async throws -> ByteBuffer? {
            while true {
                if body == nil {
                    let response: HTTPClientResponse
                    if let first = pending {
                        pending = nil
                        response = first
                    } else {
                        switch try await download.open(source, received) {
                        case .body(let opened):
                            response = opened
                        case .expired(let error):
                            try await fail(error)
                            source = try await download.renew()
                            continue
                        }
                    }
                    accept(response)
                }
                do {
                    guard var buffer = try await body?.next() else {
                        if let expectedLength, received < expectedLength {
                            throw GraphError.transport("the body ended after \(received) of \(expectedLength) bytes")
                        }
                        return nil
                    }
                    if skip > 0 {
                        let dropped = Swift.min(skip, Int64(buffer.readableBytes))
                        buffer.moveReaderIndex(forwardBy: Int(dropped))
                        skip -= dropped
                        if buffer.readableBytes == 0 { continue }
                    }
                    received += Int64(buffer.readableBytes)
                    failures = 0
                    return buffer
                } catch {
                    body = nil
                    try await fail(error)
                }
            }
        }

        /// Starts reading `response`, skipping what was already received when the server ignored `Range`.
        private mutating func accept(_ response: HTTPClientResponse) {
            if response.status == .partialContent {
                skip = 0
                if let total = response.headers.first(name: "Content-Range")?.split(separator: "/").last.flatMap({ Int64($0) }) {
                    expectedLength = total
                }
            } else {
                skip = received
                if let length = response.headers.first(name: "Content-Length").flatMap(Int64.init) {
                    expectedLength = length
                }
            }
            body = response.body.makeAsyncIterator()
        }

        /// Counts a failed attempt and backs off, or throws once too many attempts in a row brought nothing.
        private mutating func fail(_ error: any Error) async throws {
            failures += 1
            guard failures < download.maxFailures else {
                if let graphError = error as? GraphError, case .service = graphError { throw graphError }
                throw GraphError.transport("download interrupted after \(received) bytes: \(error)")
            }
            let backoff = download.initialBackoff * (1 << Swift.min(failures - 1, 16))
            try await Task.sleep(for: backoff * Double.random(in: 0.5...1.5))
        }
    }
}
