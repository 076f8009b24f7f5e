/// How a bucket is named in request URLs.
public enum S3AddressingStyle: Sendable, Hashable {
    /// `https://endpoint/bucket/key`: works with MinIO, Ceph, moto and endpoints given as an IP address.
    case path
    /// `https://bucket.endpoint/key`: the AWS default; needs DNS for every bucket name.
    case virtualHosted
}
