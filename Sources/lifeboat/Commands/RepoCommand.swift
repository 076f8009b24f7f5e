import ArgumentParser
import BackupEngine
import Catalog
import ChunkStore
import Foundation
import LifeboatModel

/// `lifeboat repo ...`: create, inspect, verify, prune, unlock and re-key the backup repositories.
struct RepoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "repo", abstract: "Create, inspect, check, prune, unlock and change the password of backup repositories.",
        subcommands: [Init.self, Info.self, Stats.self, Check.self, Prune.self, Unlock.self, Passwd.self, Catalogs.self])

    /// Which repository a `repo` command works on.
    struct Selection: ParsableArguments {
        @Option(help: "The repository's name, id or folder (default: the only one, or <data-dir>/repository).")
        var repository: String?
    }

    /// `lifeboat repo info`.
    struct Info: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show a repository's id, format, key-derivation settings and size (never its password or keys).")

        @OptionGroup var settings: SettingsOptions
        @OptionGroup var selection: Selection

        func run() async throws {
            try await LocalInstallation.with(settings) { installation in
                let target = try await installation.repositoryTarget(selection.repository)
                let info = try await target.withRepositoryErrors { try await target.open(installation).info() }
                let formatter = ISO8601DateFormatter()
                let chunking = info.chunking
                StandardOutput.line("Repository    \(target.record.name) at \(target.record.location)")
                StandardOutput.line("ID            \(info.id)")
                StandardOutput.line("Format        version \(info.formatVersion), created \(formatter.string(from: info.created))")
                StandardOutput.line(
                    "Chunking      FastCDC \(exactBytes(chunking.minimumSize)) min, \(exactBytes(chunking.averageSize)) average, "
                        + "\(exactBytes(chunking.maximumSize)) max")
                StandardOutput.line(
                    "Content       \(info.statistics.chunks) chunks in \(info.statistics.packs) packs, "
                        + "\(formattedBytes(info.statistics.storedBytes)) stored, \(info.indexFiles) index files")
                StandardOutput.line("Keys          \(info.keys.count) (one per password)")
                for key in info.keys {
                    let cost = key.parameters
                    StandardOutput.line(
                        "  \(key.key)  \(key.kdf) N=\(cost.rounds) r=\(cost.blockSize) p=\(cost.parallelism)  "
                            + "created \(formatter.string(from: key.created))\(key.isCurrent ? "  (opened with the configured password)" : "")")
                }
            }
        }
    }

    /// `lifeboat repo stats`.
    struct Stats: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show how much a repository holds and how well it compresses.")

        @OptionGroup var settings: SettingsOptions
        @OptionGroup var selection: Selection

        func run() async throws {
            try await LocalInstallation.with(settings) { installation in
                let target = try await installation.repositoryTarget(selection.repository)
                let info = try await target.withRepositoryErrors { try await target.open(installation).info() }
                let statistics = info.statistics
                let plain = info.plaintextBytes
                StandardOutput.line("Repository        \(target.record.name) at \(target.record.location)")
                StandardOutput.line(
                    "Chunks            \(statistics.chunks)"
                        + (statistics.chunks > 0 ? " (average \(formattedBytes(plain / Int64(statistics.chunks))) plain)" : ""))
                StandardOutput.line("Packs             \(statistics.packs)")
                StandardOutput.line("Unique data       \(formattedBytes(plain)) (each chunk counted once)")
                StandardOutput.line(
                    "Stored            \(formattedBytes(statistics.storedBytes))"
                        + (plain > 0
                            ? String(format: " (%.1f%% of the unique data, after compression and encryption)",
                                Double(statistics.storedBytes) * 100 / Double(plain))
                            : ""))
            }
        }
    }

    /// `lifeboat repo check [--read-data]`.
    struct Check: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Verify a repository: keys, index, pack tables, the catalog's references, and with --read-data every chunk.",
            discussion: """
                Exits with status 1 and names each problem when the repository is damaged, including chunks that backed-up \
                items use but the index does not hold (with the items). Packs left unreferenced by an interrupted backup are \
                reported but do not make the repository unhealthy.
                """)

        @OptionGroup var settings: SettingsOptions
        @OptionGroup var selection: Selection
        @Flag(help: "Also read, decrypt, decompress and re-hash every chunk (reads the whole repository).")
        var readData = false
        @Option(help: "Packs checked at once (default: one per core, at most 4).")
        var concurrency: Int?

        func validate() throws {
            if let concurrency, concurrency < 1 { throw ValidationError("--concurrency must be at least 1.") }
        }

        func run() async throws {
            try await LocalInstallation.with(settings) { installation in
                let target = try await installation.repositoryTarget(selection.repository)
                StandardOutput.line(
                    "Checking repository '\(target.record.name)' at \(target.record.location)"
                        + (readData ? ", reading all data..." : " (structure only; add --read-data to verify every chunk)..."))
                let progress = ProgressLine()
                let clock = ContinuousClock()
                let referenced = try await CatalogReferences.chunks(in: installation.catalog, repositoryID: target.record.id)
                let (report, unlocking, checking) = try await target.withRepositoryErrors {
                    let started = clock.now
                    let check = try await RepositoryCheck.unlock(store: target.store(), password: installation.repositoryPassword())
                    let unlocked = clock.now
                    let report = try await check.run(
                        readData: readData, concurrency: concurrency ?? RepositoryCheck.defaultConcurrency,
                        referencedChunks: referenced
                    ) { update in
                        progress.show(
                            "[\(update.packsChecked)/\(update.packsTotal) packs]"
                                + (readData ? " \(formattedBytes(update.bytesRead)) of \(formattedBytes(update.bytesTotal)) read" : ""))
                    }
                    return (report, unlocked - started, clock.now - unlocked)
                }
                progress.finish()
                print(report, referenced: referenced.count, checking: checking.seconds, unlocking: unlocking.seconds)
                if !report.damagedChunks.isEmpty {
                    try await printAffectedItems(report, repositoryID: target.record.id, catalog: installation.catalog)
                }
                guard report.isHealthy else {
                    throw CommandFailure(
                        "Repository '\(target.record.name)' has \(report.problems.count) problem\(report.problems.count == 1 ? "" : "s") "
                            + "(listed above)\(report.damagedChunks.isEmpty ? "" : "; \(report.damagedChunks.count) chunks cannot be read back, so the items that use them cannot be restored from it").")
                }
            }
        }

        /// Names the backed-up items (every state and version) whose content uses a damaged chunk, from the catalog.
        private func printAffectedItems(_ report: CheckReport, repositoryID: UUID, catalog: SQLCatalog) async throws {
            var affected: [ItemVersion] = []
            var after: Int64 = 0
            while true {
                let page = try await catalog.contentRows(repositoryID: repositoryID, afterRowID: after, limit: 1000)
                guard let last = page.last else { break }
                after = last.rowID
                for row in page {
                    guard let content = row.content, let manifest = try? ContentManifest(serialized: content) else { continue }
                    if report.affects(manifest) { affected.append(row) }
                }
            }
            StandardOutput.line("Affected items    \(affected.count) backed-up item states cannot be restored:")
            var drives: [String: String] = [:]
            for row in affected.prefix(50) {
                if drives[row.driveID] == nil {
                    let drive = try await catalog.drive(id: row.driveID)
                    drives[row.driveID] = drive.map { $0.kind == .oneDrive ? "\($0.ownerUPN ?? $0.name)'s OneDrive" : "\($0.siteURL ?? "")/\($0.name)" }
                        ?? row.driveID
                }
                let version = row.graphVersionID.map { " version \($0)" } ?? ""
                StandardOutput.line("  \(drives[row.driveID] ?? row.driveID): \(row.name)\(version) (item \(row.itemID), from restore point \(row.validFrom))")
            }
            if affected.count > 50 { StandardOutput.line("  ... and \(affected.count - 50) more") }
        }

        private func print(_ report: CheckReport, referenced: Int, checking seconds: Double, unlocking: Double) {
            StandardOutput.line("ID                \(report.repositoryID)")
            StandardOutput.line("Key files         \(report.keyFiles)")
            StandardOutput.line("Index files       \(report.indexFiles)")
            StandardOutput.line("Packs             \(report.packs) (\(formattedBytes(report.packBytes)))")
            StandardOutput.line("Chunks            \(report.chunks) indexed, \(referenced) used by backed-up items")
            if report.readData {
                let rate = seconds > 0 ? " (\(formattedBytes(Int64(Double(report.bytesRead) / seconds)))/s)" : ""
                StandardOutput.line("Data verified     \(report.chunksRead) chunks, \(formattedBytes(report.bytesRead))\(rate)")
            }
            if !report.unreferencedPacks.isEmpty {
                StandardOutput.line(
                    "Unreferenced      \(report.unreferencedPacks.count) packs (\(formattedBytes(report.unreferencedBytes))) that no index "
                        + "names: left by interrupted backups, harmless; pruning will reclaim them")
            }
            for problem in report.problems {
                StandardOutput.line("PROBLEM: \(problem)")
            }
            if !report.damagedChunks.isEmpty {
                StandardOutput.line("Damaged chunks    \(report.damagedChunks.count):")
                let shown = 20
                for chunk in report.damagedChunks.sorted().prefix(shown) { StandardOutput.line("  \(chunk)") }
                if report.damagedChunks.count > shown { StandardOutput.line("  ... and \(report.damagedChunks.count - shown) more") }
            }
            StandardOutput.line(
                (report.isHealthy ? "No problems found" : "\(report.problems.count) problem\(report.problems.count == 1 ? "" : "s") found")
                    + String(format: "; checked in %.2f s after unlocking the key in %.2f s.", seconds, unlocking))
        }
    }

    /// `lifeboat repo passwd [--remove-old]`.
    struct Passwd: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add a password to a repository (from LIFEBOAT_NEW_REPOSITORY_PASSWORD), optionally removing the current one.",
            discussion: """
                Each password is a key file wrapping the same master key, so no data is rewritten. Without --remove-old both \
                passwords open the repository. Lifeboat keeps using the configured password (LIFEBOAT_REPOSITORY_PASSWORD or \
                <data-dir>/repository.password): change it there too.
                """)

        @OptionGroup var settings: SettingsOptions
        @OptionGroup var selection: Selection
        @Flag(help: "Remove the key file of the currently configured password once the new one is verified.")
        var removeOld = false

        func run() async throws {
            guard let newPassword = ProcessInfo.processInfo.environment["LIFEBOAT_NEW_REPOSITORY_PASSWORD"], !newPassword.isEmpty
            else {
                throw CommandFailure("Set LIFEBOAT_NEW_REPOSITORY_PASSWORD to the new repository password.")
            }
            try await LocalInstallation.with(settings) { installation in
                let target = try await installation.repositoryTarget(selection.repository)
                let current = try installation.repositoryPassword()
                guard newPassword != current else {
                    throw CommandFailure("LIFEBOAT_NEW_REPOSITORY_PASSWORD is the password already configured.")
                }
                let source = installation.repositoryPasswordSource
                try await target.withRepositoryErrors {
                    let repository = try await target.open(installation)
                    if removeOld {
                        let old = try await repository.info().keys.first(where: \.isCurrent)?.key ?? "the old key"
                        let added = try await repository.changePassword(to: newPassword)
                        StandardOutput.line(
                            "Repository '\(target.record.name)': added \(added) for the new password and removed \(old); "
                                + "the old password no longer opens it.")
                        StandardOutput.line("Now put the new password in \(source): Lifeboat cannot open the repository until you do.")
                    } else {
                        let added = try await repository.addPassword(newPassword)
                        StandardOutput.line(
                            "Repository '\(target.record.name)': added \(added) for the new password; the old password still opens it.")
                        StandardOutput.line(
                            "Lifeboat keeps using the password in \(source); put the new one there to switch. "
                                + "To replace the old password rather than add one, run this with --remove-old.")
                    }
                }
            }
        }
    }
}

/// A repository the `repo` commands work on: its catalog record (or the quickstart folder before any backup registered it).
struct RepositoryTarget: Sendable {
    let record: BackupRepository
    let records: RepositoryRecords

    /// The repository's folder or S3 bucket prefix as an object store; fails rather than create a missing folder.
    func store() throws -> any ObjectStore {
        try records.existingStore(of: record)
    }

    /// Opens the repository with the configured password (loads its index).
    func open(_ installation: LocalInstallation) async throws -> Repository {
        try await Repository.open(
            store: store(), password: installation.repositoryPassword(), indexCache: installation.settings.indexCache,
            logger: installation.logger)
    }

    /// Runs `body`, turning repository errors into messages that name this repository and the password's source.
    func withRepositoryErrors<Result: Sendable>(_ body: () async throws -> Result) async throws -> Result {
        do {
            return try await body()
        } catch ChunkStoreError.wrongPassword {
            throw CommandFailure(
                "The configured repository password does not open repository '\(record.name)' at \(record.location) "
                    + "(no key file in its keys/ folder accepts it).")
        } catch ChunkStoreError.repositoryNotFound {
            throw CommandFailure(
                "\(record.location) holds no repository (no 'config' object); create one with `lifeboat repo init \(record.location)`.")
        } catch let error as ChunkStoreError {
            throw CommandFailure("Repository '\(record.name)' at \(record.location): \(error)")
        }
    }
}

extension LocalInstallation {
    /// The catalog's repository records, with the quickstart folder as the default location.
    var repositoryRecords: RepositoryRecords {
        RepositoryRecords(catalog: catalog, stores: repositories.stores, defaultLocation: defaultRepositoryPath)
    }

    /// The repository named by `reference` (name, id or written location), else the only one, else the quickstart
    /// folder's; see `RepositoryRecords.resolve`.
    func repositoryTarget(_ reference: String?) async throws -> RepositoryTarget {
        RepositoryTarget(record: try await repositoryRecords.resolve(reference).record, records: repositoryRecords)
    }

    /// The catalog record `reference` names, registering a repository the catalog does not know yet; refuses a
    /// location that holds no repository (`lifeboat repo init` creates one).
    func registeredRecord(_ reference: String?) async throws -> BackupRepository {
        let records = repositoryRecords
        let resolved = try await records.resolve(reference)
        return try await RepositoryTarget(record: resolved.record, records: records).withRepositoryErrors {
            try await records.register(resolved)
        }
    }

    /// The repository password Lifeboat is configured with (the same source `open` checked exists).
    func repositoryPassword() throws -> String {
        if let configured = settings.repositoryPassword { return configured }
        if let stored = try SecretFiles(directory: settings.dataDirectory).read("repository.password") { return stored }
        throw CommandFailure("No repository password: set LIFEBOAT_REPOSITORY_PASSWORD.")
    }

    /// Where the configured repository password comes from, for messages.
    var repositoryPasswordSource: String {
        settings.repositoryPassword != nil
            ? "LIFEBOAT_REPOSITORY_PASSWORD (or lifeboat.repository.password in the config file)"
            : settings.dataDirectory.appendingPathComponent("repository.password").path
    }
}

/// A size that is usually a power of two, exactly (`256 KiB`).
private func exactBytes(_ count: Int) -> String {
    if count >= 1 << 20, count % (1 << 20) == 0 { return "\(count >> 20) MiB" }
    if count >= 1 << 10, count % (1 << 10) == 0 { return "\(count >> 10) KiB" }
    return "\(count) B"
}

extension Duration {
    /// The duration in seconds, for printing.
    fileprivate var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
