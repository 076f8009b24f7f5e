import AsyncHTTPClient
import NIOCore

/// Sends one signed request to an S3 endpoint and reads the whole response.
///
/// `HTTPClient` is the production implementation; tests wrap it to inject failures.
/// Implementations throw on connection-level failures and return every HTTP status, including errors.
public protocol S3Transport: Sendable {
    /// Executes `request`, giving up after `timeout`, and returns the status, headers and whole body.
    func send(_ request: HTTPClientRequest, timeout: TimeAmount) async throws -> S3Response
}

extension HTTPClient: S3Transport {
    /// Executes `request` and collects its body (up to 4 GiB, beyond any object the repository writes).
    public func send(_ request: HTTPClientRequest, timeout: TimeAmount) async throws -> S3Response {
        let response = try await execute(request, timeout: timeout)
        let body = try await response.body.collect(upTo: Int(UInt32.max))
        return S3Response(status: response.status, headers: response.headers, body: body)
    }
}
