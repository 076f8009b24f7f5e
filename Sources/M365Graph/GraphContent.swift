import AsyncHTTPClient
import NIOCore

/// The bytes of a file as Graph streams them; iterate once.
public struct GraphContent: AsyncSequence, Sendable {
    public typealias Element = ByteBuffer

    /// Content length announced by the server, when it did.
    public let contentLength: Int64?
    private let body: HTTPClientResponse.Body

    init(contentLength: Int64?, body: HTTPClientResponse.Body) {
        self.contentLength = contentLength
        self.body = body
    }

    /// Wraps any byte stream as content, for `GraphAPI` implementations other than `GraphClient` (a cache, a test double).
    /// The stream is iterated once.
    public init<Bytes: AsyncSequence & Sendable>(contentLength: Int64?, bytes: Bytes) where Bytes.Element == ByteBuffer {
        self.init(contentLength: contentLength, body: .stream(bytes))
    }

    /// Iterator over the body's buffers.
    public struct AsyncIterator: AsyncIteratorProtocol {
        var base: HTTPClientResponse.Body.AsyncIterator

        /// The next buffer, or nil at the end; throws `GraphError` (`.transport` when the connection stays broken).
        public mutating func next() async throws -> ByteBuffer? {
            do {
                return try await base.next()
            } catch let error as GraphError {
                throw error
            } catch {
                throw GraphError.transport("download interrupted: \(error)")
            }
        }
    }

    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(base: body.makeAsyncIterator())
    }
}
