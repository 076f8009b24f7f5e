import ArgumentParser
import ChunkStore
import Foundation
import LifeboatModel

extension RepoCommand {
    /// `lifeboat repo unlock [--remove-all]`.
    struct Unlock: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Remove stale repository locks left by crashed processes (--remove-all: every lock).",
            discussion: """
                A lock is stale when its process is gone from this host or it has not been refreshed for 30 minutes. Use \
                --remove-all only when no Lifeboat process uses the repository: removing a running backup's lock lets a \
                prune delete data that backup is writing.
                """)

        @OptionGroup var settings: SettingsOptions
        @OptionGroup var selection: Selection
        @Flag(help: "Remove every lock, including live ones.")
        var removeAll = false

        func run() async throws {
            try await LocalInstallation.with(settings) { installation in
                let target = try await installation.repositoryTarget(selection.repository)
                try await target.withRepositoryErrors {
                    let store = try target.store()
                    guard try await store.head(key: "config") != nil else { throw ChunkStoreError.repositoryNotFound }
                    let locks = RepositoryLocks(store: store, logger: installation.logger)
                    let removed = removeAll ? try await locks.removeAll() : try await locks.removeStale()
                    for lock in removed {
                        StandardOutput.line("Removed \(lock.isStale ? "stale" : "live") lock \(lock.key): \(Self.describe(lock))")
                    }
                    let remaining = try await locks.list()
                    for lock in remaining {
                        StandardOutput.line("Kept live lock \(lock.key): \(Self.describe(lock))")
                    }
                    StandardOutput.line(
                        "Repository '\(target.record.name)': removed \(removed.count) lock\(removed.count == 1 ? "" : "s"), "
                            + "\(remaining.count) remain\(remaining.isEmpty ? "" : " (--remove-all removes live locks too)").")
                }
            }
        }

        private static func describe(_ lock: StoredLock) -> String {
            lock.info.map { "\($0)" } ?? "not a readable lock"
        }
    }
}
