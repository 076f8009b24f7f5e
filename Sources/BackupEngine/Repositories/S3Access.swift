import ChunkStore
import Foundation

/// How to reach the S3-compatible service that holds `s3://` repositories: endpoint, region, addressing and credentials.
///
/// Its `description` never contains the secret key, so it may be logged.
public struct S3Access: Sendable, CustomStringConvertible {
    /// The service endpoint without a bucket (`https://s3.eu-west-1.amazonaws.com`, `http://127.0.0.1:9000`).
    public var endpoint: URL
    /// The region requests are signed for.
    public var region: String
    /// The access key id.
    public var accessKeyID: String
    /// The secret access key; never logged or printed.
    public var secretAccessKey: String
    /// Whether the bucket goes in the URL path (MinIO, Ceph, moto, IP endpoints) or in the host name (AWS).
    public var addressingStyle: S3AddressingStyle

    /// Describes the service; without an endpoint, AWS S3 in `region` with virtual-hosted addressing.
    public init(
        endpoint: URL? = nil, region: String = "us-east-1", accessKeyID: String, secretAccessKey: String,
        addressingStyle: S3AddressingStyle? = nil
    ) throws(EngineError) {
        let resolved = endpoint ?? URL(string: "https://s3.\(region).amazonaws.com")
        guard let resolved, let scheme = resolved.scheme, scheme == "http" || scheme == "https", resolved.host != nil else {
            throw EngineError.repositoryUnavailable(
                "the S3 endpoint '\(endpoint?.absoluteString ?? region)' is not an http(s) URL with a host")
        }
        self.endpoint = resolved
        self.region = region
        self.accessKeyID = accessKeyID
        self.secretAccessKey = secretAccessKey
        self.addressingStyle = addressingStyle ?? (endpoint == nil ? .virtualHosted : .path)
    }

    /// The bucket configuration for one repository; throws `EngineError.repositoryUnavailable` for an invalid bucket or prefix.
    public func configuration(bucket: String, prefix: String) throws(EngineError) -> S3Configuration {
        do {
            return try S3Configuration(
                endpoint: endpoint, region: region, bucket: bucket, accessKeyID: accessKeyID,
                secretAccessKey: secretAccessKey, addressingStyle: addressingStyle, keyPrefix: prefix)
        } catch {
            throw EngineError.repositoryUnavailable("s3://\(bucket)/\(prefix): \(error)")
        }
    }

    public var description: String {
        let addressing = addressingStyle == .path ? "path-style" : "virtual-hosted"
        return "S3 at \(endpoint.absoluteString) (region \(region), \(addressing), access key \(accessKeyID))"
    }
}
