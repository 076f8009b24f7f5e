import AsyncHTTPClient
@testable import M365Graph
import NIOCore
import NIOHTTP1
import Synchronization
import Testing

/// `ResumableDownload` against scripted answers: what a resumption may and may not continue.
@Suite("A broken download resumes only into the same content, from where it broke")
struct ResumableDownloadTests {
    struct Broken: Error {}

    static let file = Array(UInt8(0)..<UInt8(10))

    /// A body that sends `bytes` and then breaks, as a reset connection does.
    static func breaking(after bytes: ArraySlice<UInt8>) -> HTTPClientResponse.Body {
        let (stream, continuation) = AsyncThrowingStream<ByteBuffer, any Error>.makeStream()
        continuation.yield(ByteBuffer(bytes: bytes))
        continuation.finish(throwing: Broken())
        return .stream(stream)
    }

    static func answer(_ status: HTTPResponseStatus, _ headers: [(String, String)], body: HTTPClientResponse.Body) -> HTTPClientResponse {
        HTTPClientResponse(status: status, headers: HTTPHeaders(headers), body: body)
    }

    /// Reads a download whose first answer (ETag `"a"`, 10 bytes) breaks after 4 bytes and whose resumption is `resumed`;
    /// returns the bytes read, the error that ended it if any, and the validators the resumptions were asked with.
    static func read(resumedWith resumed: HTTPClientResponse) async -> (bytes: [UInt8], error: (any Error)?, validators: [String?]) {
        let first = answer(.ok, [("ETag", "\"a\""), ("Content-Length", "10")], body: breaking(after: file[..<4]))
        let asked = Mutex<[String?]>([])
        let download = ResumableDownload(
            source: .init(url: "http://files.example/f", authorized: false), firstResponse: first,
            open: { _, _, validator in
                asked.withLock { $0.append(validator) }
                return .body(resumed)
            },
            renew: { .init(url: "http://files.example/f", authorized: false) }, maxFailures: 3, initialBackoff: .milliseconds(1))
        var bytes: [UInt8] = []
        do {
            for try await buffer in download { bytes += buffer.readableBytesView }
            return (bytes, nil, asked.withLock { $0 })
        } catch {
            return (bytes, error, asked.withLock { $0 })
        }
    }

    @Test("the same content, from the offset asked for, completes the file")
    func resumesSameContent() async {
        let tail = Self.answer(.partialContent, [("ETag", "\"a\""), ("Content-Range", "bytes 4-9/10")], body: .bytes(ByteBuffer(bytes: Self.file[4...])))
        let (bytes, error, validators) = await Self.read(resumedWith: tail)
        #expect(error == nil)
        #expect(bytes == Self.file)
        #expect(validators == ["\"a\""])
    }

    @Test("a server that ignores Range sends it all again; the head already read is skipped")
    func skipsWhatWasRead() async {
        let whole = Self.answer(.ok, [("ETag", "\"a\""), ("Content-Length", "10")], body: .bytes(ByteBuffer(bytes: Self.file)))
        let (bytes, error, _) = await Self.read(resumedWith: whole)
        #expect(error == nil)
        #expect(bytes == Self.file)
    }

    @Test(
        "another ETag or another length is another content: the stream ends, the head is never completed with it",
        arguments: [
            [("ETag", "\"b\""), ("Content-Range", "bytes 4-9/10")],
            [("Content-Range", "bytes 4-11/12")],
        ])
    func refusesOtherContent(headers: [(String, String)]) async {
        let other = Self.answer(.partialContent, headers, body: .bytes(ByteBuffer(bytes: [UInt8](repeating: 7, count: 8))))
        let (bytes, error, _) = await Self.read(resumedWith: other)
        #expect(bytes == Array(Self.file[..<4]))
        guard case .contentChanged = error as? GraphError else {
            Issue.record("expected contentChanged, got \(String(describing: error))")
            return
        }
    }

    @Test("a partial answer from another offset than asked for is refused")
    func refusesWrongOffset() async {
        let shifted = Self.answer(.partialContent, [("ETag", "\"a\""), ("Content-Range", "bytes 2-9/10")], body: .bytes(ByteBuffer(bytes: Self.file[2...])))
        let (bytes, error, _) = await Self.read(resumedWith: shifted)
        #expect(bytes == Array(Self.file[..<4]))
        guard case .invalidResponse = error as? GraphError else {
            Issue.record("expected invalidResponse, got \(String(describing: error))")
            return
        }
    }
}
