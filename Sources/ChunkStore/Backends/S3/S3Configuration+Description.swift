import Foundation

extension S3Configuration: CustomStringConvertible, CustomDebugStringConvertible {
    /// The bucket and how it is reached, without the secret key, so a configuration can be logged or interpolated safely.
    public var description: String {
        "s3://\(bucket)/\(keyPrefix) at \(endpoint.absoluteString) (region \(region), "
            + "\(addressingStyle == .path ? "path-style" : "virtual-hosted"), access key \(accessKeyID))"
    }

    /// Same as `description`: debug printing must not reveal the secret key either.
    public var debugDescription: String { description }
}
