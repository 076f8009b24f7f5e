import Foundation

/// Where and how to reach an S3-compatible bucket that holds a repository.
public struct S3Configuration: Sendable {
    /// The service endpoint without the bucket, e.g. `https://s3.eu-west-1.amazonaws.com` or `http://127.0.0.1:9000`.
    public var endpoint: URL
    /// The region requests are signed for (`us-east-1` for most S3-compatible servers).
    public var region: String
    /// The bucket name.
    public var bucket: String
    /// The access key id.
    public var accessKeyID: String
    /// The secret access key; never logged.
    public var secretAccessKey: String
    /// Whether the bucket goes in the path or in the host name.
    public var addressingStyle: S3AddressingStyle
    /// A prefix put in front of every key, so several repositories can share a bucket; `""` for none.
    ///
    /// A non-empty prefix is normalized to end with `/`.
    public var keyPrefix: String
    /// Objects larger than this many bytes are uploaded with a multipart upload.
    public var multipartThreshold: Int
    /// The size of each multipart part except the last; S3 requires at least 5 MiB.
    public var partSize: Int
    /// How failed requests (5xx, throttling, connection errors) are retried.
    public var retryPolicy: S3RetryPolicy
    /// How long one HTTP request may take before it is abandoned (and retried).
    public var requestTimeout: Duration

    /// The smallest part S3 accepts in a multipart upload (except the last part).
    public static let minimumPartSize = 5 << 20

    /// Describes a bucket; throws `ChunkStoreError.invalidParameters` when the endpoint has no host,
    /// the bucket name is shorter than 3 characters, or the part size is below 5 MiB.
    public init(
        endpoint: URL,
        region: String,
        bucket: String,
        accessKeyID: String,
        secretAccessKey: String,
        addressingStyle: S3AddressingStyle = .virtualHosted,
        keyPrefix: String = "",
        multipartThreshold: Int = 64 << 20,
        partSize: Int = 16 << 20,
        retryPolicy: S3RetryPolicy = .default,
        requestTimeout: Duration = .seconds(120)
    ) throws {
        guard let scheme = endpoint.scheme, scheme == "http" || scheme == "https", endpoint.host != nil else {
            throw ChunkStoreError.invalidParameters("S3 endpoint must be an http(s) URL with a host")
        }
        guard bucket.count >= 3 else {
            throw ChunkStoreError.invalidParameters("S3 bucket names have at least 3 characters")
        }
        guard partSize >= Self.minimumPartSize, multipartThreshold >= partSize else {
            throw ChunkStoreError.invalidParameters(
                "S3 part size must be at least 5 MiB and the multipart threshold at least one part")
        }
        if !keyPrefix.isEmpty { try ObjectKey.validate(keyPrefix.hasSuffix("/") ? String(keyPrefix.dropLast()) : keyPrefix) }
        self.endpoint = endpoint
        self.region = region
        self.bucket = bucket
        self.accessKeyID = accessKeyID
        self.secretAccessKey = secretAccessKey
        self.addressingStyle = addressingStyle
        self.keyPrefix = keyPrefix.isEmpty || keyPrefix.hasSuffix("/") ? keyPrefix : keyPrefix + "/"
        self.multipartThreshold = multipartThreshold
        self.partSize = partSize
        self.retryPolicy = retryPolicy
        self.requestTimeout = requestTimeout
    }
}
