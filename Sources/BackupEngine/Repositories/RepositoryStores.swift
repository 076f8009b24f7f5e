import ChunkStore
import Logging

/// Opens the object store behind a repository location: a `LocalDirectoryStore` for a folder, an `S3ObjectStore`
/// for `s3://bucket/prefix` with the configured `S3Access`.
public struct RepositoryStores: Sendable {
    /// The S3 service for `s3://` locations; nil when none is configured (such locations then fail to open).
    public let s3: S3Access?
    private let logger: Logger

    /// Creates an opener; `s3` is needed only for `s3://` locations.
    public init(s3: S3Access? = nil, logger: Logger = Logger(label: "lifeboat.chunkstore")) {
        self.s3 = s3
        self.logger = logger
    }

    /// The store for `location`; a missing folder is created. Throws `EngineError.repositoryUnavailable` when the
    /// location is malformed, the folder cannot be created, or an `s3://` location has no S3 service configured.
    public func store(for location: String) throws(EngineError) -> any ObjectStore {
        switch try RepositoryLocation(location) {
        case .directory(let path):
            do {
                return try LocalDirectoryStore(path: path)
            } catch {
                throw EngineError.repositoryUnavailable("\(path): \(error)")
            }
        case .s3(let bucket, let prefix):
            guard let s3 else {
                throw EngineError.repositoryUnavailable(
                    "\(location) is in S3 but no S3 credentials are configured: set AWS_ACCESS_KEY_ID and "
                        + "AWS_SECRET_ACCESS_KEY (and LIFEBOAT_S3_ENDPOINT, LIFEBOAT_S3_REGION, LIFEBOAT_S3_PATH_STYLE for "
                        + "a service other than AWS)")
            }
            var s3Logger = logger
            s3Logger[metadataKey: "lifeboat.repository"] = "\(location)"
            return S3ObjectStore(configuration: try s3.configuration(bucket: bucket, prefix: prefix), logger: s3Logger)
        }
    }
}
