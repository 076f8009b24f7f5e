import Foundation

/// Where `Repository` keeps the local cache of its chunk index: sorted, memory-mapped segment files rebuilt from
/// the repository's `index/` objects whenever they are missing, stale or damaged (the cache is disposable).
public enum IndexCacheLocation: Sendable, Hashable {
    /// A folder per repository (named after its id) under the system temporary directory.
    case temporaryDirectory
    /// A folder per repository (named after its id) inside `path`, created when missing.
    case directory(String)
    /// No files: the index is rebuilt at every open and held in memory, in the same compact segments.
    case memory

    /// The folder for one repository's cache files, or nil for `.memory`.
    func folder(repositoryID: String) -> String? {
        switch self {
        case .temporaryDirectory:
            return FileManager.default.temporaryDirectory.appendingPathComponent("lifeboat-index-cache")
                .appendingPathComponent(repositoryID).path
        case .directory(let path):
            return URL(fileURLWithPath: path).appendingPathComponent(repositoryID).path
        case .memory:
            return nil
        }
    }
}
