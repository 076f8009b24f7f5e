import NIOCore
import NIOHTTP1

/// One HTTP response from an S3 endpoint, with its body fully read.
public struct S3Response: Sendable {
    /// The HTTP status.
    public var status: HTTPResponseStatus
    /// The response headers.
    public var headers: HTTPHeaders
    /// The whole response body (empty for HEAD).
    public var body: ByteBuffer

    /// Creates a response.
    public init(status: HTTPResponseStatus, headers: HTTPHeaders, body: ByteBuffer) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// The S3 error code from an `<Error><Code>` body, or the status text when the body has none (as for HEAD).
    var errorCode: String {
        if let code = S3XMLElement.parse(body)?.child("Code")?.text, !code.isEmpty { return code }
        return status.reasonPhrase
    }
}
