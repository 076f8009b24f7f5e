import AsyncHTTPClient
import NIOCore
import NIOHTTP1

/// The bytes of one file from a download URL, resumed with `Range: bytes=<received>-` when the body breaks and
/// re-addressed through Graph's `/content` when the URL expires, so the consumer sees one continuous stream.
///
/// A resumption does not splice two contents: an answer with another `ETag` than the first (when the server names its
/// content with one; a strong one is also sent in `If-Range`) or another total length ends the stream with
/// `GraphError.contentChanged` (the caller reads the file again), and a partial answer must start where asked.
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

    /// Opens `source` from `offset` (no `Range` header at 0), with `If-Range: validator` when there is one.
    typealias Open = @Sendable (_ source: Source, _ offset: Int64, _ validator: String?) async throws -> Opening
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
        /// The first answer's `ETag`: what every resumed answer must be of.
        var validator: String?
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
                        switch try await download.open(source, received, validator) {
                        case .body(let opened):
                            response = opened
                        case .expired(let error):
                            try await fail(error)
                            source = try await download.renew()
                            continue
                        }
                    }
                    try accept(response)
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

        /// Starts reading `response`, skipping what was already received when the server ignored `Range`; throws
        /// `contentChanged` when a resumed answer is of other content than the first.
        private mutating func accept(_ response: HTTPClientResponse) throws {
            let tag = response.headers.first(name: "ETag")
            let length: Int64?
            if response.status == .partialContent {
                let contentRange = response.headers.first(name: "Content-Range") ?? ""
                length = contentRange.split(separator: "/").last.flatMap { Int64($0) }
                let start = contentRange.split(separator: " ").last?.split(separator: "-").first.flatMap { Int64($0) }
                guard start == received else {
                    throw GraphError.invalidResponse("asked for the bytes from \(received), got 206 with Content-Range '\(contentRange)'")
                }
            } else {
                length = response.headers.first(name: "Content-Length").flatMap(Int64.init)
            }
            if received > 0 {
                if let validator, let tag, tag != validator {
                    throw GraphError.contentChanged("its ETag went from \(validator) to \(tag) after \(received) bytes")
                }
                if let expectedLength, let length, length != expectedLength {
                    throw GraphError.contentChanged("its length went from \(expectedLength) to \(length) bytes after \(received) bytes")
                }
            } else {
                validator = tag
            }
            skip = response.status == .partialContent ? 0 : received
            if let length { expectedLength = length }
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
