import Foundation
import Logging

/// A folder of Lifeboat's (the data folder, a repository's) that only its owner may read: created with mode 0700, and
/// reported at start-up when group or others can read or enter it.
enum PrivateFolder {
    /// Creates `folder` (and missing parents) with mode 0700 when missing; warns when an existing one is wider.
    static func create(_ folder: URL, logger: Logger) throws {
        if !FileManager.default.fileExists(atPath: folder.path) {
            do {
                try FileManager.default.createDirectory(
                    at: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            } catch {
                throw CommandFailure("Cannot create the folder \(folder.path): \(error.localizedDescription)")
            }
        }
        warnIfShared(folder, logger: logger)
    }

    /// Logs a warning naming `folder` and how to fix it when group or others have any access to it.
    static func warnIfShared(_ folder: URL, logger: Logger) {
        guard let mode = (try? FileManager.default.attributesOfItem(atPath: folder.path))?[.posixPermissions] as? Int,
            mode & 0o077 != 0
        else { return }
        logger.warning(
            "\(folder.path) is readable by other local users (mode \(String(mode & 0o777, radix: 8))); it holds the catalog, keys or backed-up data: run chmod 700 '\(folder.path)'",
            metadata: ["lifeboat.path": "\(folder.path)", "lifeboat.mode": "\(String(mode & 0o777, radix: 8))"])
    }
}
