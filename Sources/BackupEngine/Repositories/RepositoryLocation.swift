import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Where a backup repository lives, parsed from `BackupRepository.location`: a local folder or `s3://bucket/prefix`.
public enum RepositoryLocation: Sendable, Hashable, CustomStringConvertible {
    /// A folder on this machine (an absolute or relative path).
    case directory(String)
    /// A bucket of an S3-compatible service and a key prefix inside it (`""` for the bucket's root).
    case s3(bucket: String, prefix: String)

    /// Parses a location: `s3://bucket` or `s3://bucket/some/prefix` (a trailing `/` is ignored), else a folder path.
    ///
    /// Throws `EngineError.repositoryUnavailable` for an `s3://` location without a bucket name.
    public init(_ location: String) throws(EngineError) {
        guard location.lowercased().hasPrefix(Self.s3Scheme) else {
            self = .directory(location)
            return
        }
        let rest = location.dropFirst(Self.s3Scheme.count)
        let bucket = rest.prefix { $0 != "/" }
        guard !bucket.isEmpty else {
            throw EngineError.repositoryUnavailable("'\(location)' names no bucket; write s3://bucket or s3://bucket/prefix")
        }
        var prefix = rest.dropFirst(bucket.count).drop { $0 == "/" }
        while prefix.hasSuffix("/") { prefix = prefix.dropLast() }
        self = .s3(bucket: String(bucket), prefix: String(prefix))
    }

    static let s3Scheme = "s3://"

    /// Whether a location string names an S3 bucket rather than a folder.
    public static func isS3(_ location: String) -> Bool {
        location.lowercased().hasPrefix(s3Scheme)
    }

    /// The location as written in the catalog (`s3://bucket/prefix` or the folder path).
    public var description: String {
        switch self {
        case .directory(let path): return path
        case .s3(let bucket, let prefix): return Self.s3Scheme + bucket + (prefix.isEmpty ? "" : "/" + prefix)
        }
    }
}

extension RepositoryLocation {
    /// Whether two locations name one store: the same bucket and prefix, or the same folder however it is spelled
    /// (`/srv/repo`, `/srv/./repo/`, a symbolic link to it, a relative path from the working folder).
    ///
    /// Folders are compared by device and inode when both exist (one `stat` each), else by their resolved paths.
    public func namesSameStore(as other: RepositoryLocation) -> Bool {
        switch (self, other) {
        case (.s3(let bucket, let prefix), .s3(let otherBucket, let otherPrefix)):
            return bucket == otherBucket && prefix == otherPrefix
        case (.directory(let path), .directory(let otherPath)):
            if let identity = Self.fileIdentity(path), let otherIdentity = Self.fileIdentity(otherPath) {
                return identity == otherIdentity
            }
            return Self.resolved(path) == Self.resolved(otherPath)
        default:
            return false
        }
    }

    /// The device and inode of an existing path, following symbolic links.
    private static func fileIdentity(_ path: String) -> [UInt64]? {
        var status = stat()
        guard stat(path, &status) == 0 else { return nil }
        return [UInt64(status.st_dev), UInt64(status.st_ino)]
    }

    private static func resolved(_ path: String) -> String {
        URL(fileURLWithPath: path).standardizedFileURL.resolvingSymlinksInPath().path
    }
}
