/// Why an index cache file could not be used. Never reaches callers of `Repository`: a damaged or unreadable
/// cache is rebuilt from the repository's index files, which stay the source of truth.
enum IndexCacheError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file could not be opened, read or written.
    case unreadable(path: String, errno: Int32)
    /// The file's structure or a checksum does not match; it must be rebuilt.
    case damaged(path: String, reason: String)

    var description: String {
        switch self {
        case .unreadable(let path, let errno): return "index cache '\(path)' is unreadable (errno \(errno))"
        case .damaged(let path, let reason): return "index cache '\(path)' is damaged (\(reason))"
        }
    }
}
