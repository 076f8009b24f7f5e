import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

extension LocalDirectoryStore {
    /// Deletes the `.tmp-` files a `put` killed before linking its object into place left, anywhere below the root,
    /// when their last change is more than `age` ago.
    public func removeLeftovers(olderThan age: Duration) async throws -> StoreLeftovers {
        let cutoff = Date().addingTimeInterval(-Double(age.components.seconds))
        return try await BlockingIO.run {
            var removed = StoreLeftovers()
            try Self.removeTemporaryFiles(below: root, changedBefore: cutoff.timeIntervalSince1970, into: &removed)
            return removed
        }
    }

    private static func removeTemporaryFiles(below directory: String, changedBefore cutoff: Double, into removed: inout StoreLeftovers) throws {
        var removedHere = false
        for name in try entryNames(in: directory) {
            let path = directory + "/" + name
            var info = stat()
            guard lstat(path, &info) == 0 else { continue }
            switch info.st_mode & S_IFMT {
            case S_IFDIR where !name.hasPrefix("."):
                try removeTemporaryFiles(below: path, changedBefore: cutoff, into: &removed)
            case S_IFREG where name.hasPrefix(".tmp-") && Double(Self.modificationSeconds(info)) < cutoff:
                guard unlink(path) == 0 else {
                    let code = errno
                    if code == ENOENT { continue }
                    throw ChunkStoreError.io(operation: "unlink", path: path, errno: code)
                }
                removed.count += 1
                removed.bytes += Int64(info.st_size)
                removedHere = true
            default:
                continue
            }
        }
        if removedHere { try fsyncDirectory(directory) }
    }

    private static func modificationSeconds(_ info: stat) -> Int {
        #if canImport(Darwin)
        Int(info.st_mtimespec.tv_sec)
        #else
        Int(info.st_mtim.tv_sec)
        #endif
    }
}
