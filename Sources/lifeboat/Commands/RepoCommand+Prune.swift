import ArgumentParser
import BackupEngine
import Catalog
import ChunkStore
import Foundation
import LifeboatModel

extension RepoCommand {
    /// `lifeboat repo prune [--dry-run] [--max-unused-percent N]`.
    struct Prune: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Delete data no backed-up item uses any more and repack under-used packs.",
            discussion: """
                Which data is in use comes from the catalog: every item version of every job, whichever repository record \
                it writes through (two records may name one folder or bucket). \
                Prune takes an exclusive lock, so backups into the repository fail with 'locked' while it runs, and it never \
                starts while a backup runs. It is crash-safe: interrupted, it leaves a repository that opens and checks \
                clean, and running it again finishes the work.
                """)

        @OptionGroup var settings: SettingsOptions
        @OptionGroup var selection: Selection
        @Flag(help: "Only report what would be deleted and repacked.")
        var dryRun = false
        @Option(help: "Repack packs with more than this percentage of unused bytes (0-100).")
        var maxUnusedPercent: Double = 20

        func validate() throws {
            guard (0...100).contains(maxUnusedPercent) else { throw ValidationError("--max-unused-percent must be in 0...100.") }
        }

        func run() async throws {
            try await LocalInstallation.with(settings) { installation in
                let target = try await installation.repositoryTarget(selection.repository)
                guard try await installation.catalog.repositories().contains(where: { $0.id == target.record.id }) else {
                    throw CommandFailure(
                        "Repository at \(target.record.location) is not registered in this catalog, so Lifeboat cannot tell which "
                            + "of its data backups use; prune refused.")
                }
                StandardOutput.line(
                    "Pruning repository '\(target.record.name)' at \(target.record.location)\(dryRun ? " (dry run: nothing changes)" : "")...")
                var referencedCount = 0
                let report = try await target.withRepositoryErrors {
                    let prune = try await RepositoryPrune.unlock(
                        store: target.store(), password: installation.repositoryPassword(), logger: installation.logger)
                    let ownCatalog = try await installation.catalog.identity()
                    return try await prune.run(PruneOptions(dryRun: dryRun, maxUnusedPercent: maxUnusedPercent)) {
                        // Under prune's lock: a backup registers its catalog under its own lock, so none can be missed.
                        let others = try await RepositoryCatalogs(store: target.store()).list().filter { $0.catalogID != ownCatalog }
                        guard others.isEmpty else { throw Self.sharedRepository(target.record, others: others) }
                        let references = try await CatalogReferences.pruneReferences(in: installation.catalog, of: target.record)
                        guard !references.stored.isEmpty else {
                            throw CommandFailure(
                                "The catalog holds no backed-up content in repository '\(target.record.name)'; pruning would delete "
                                    + "everything, so it is refused. Delete the folder instead if that is what you want.")
                        }
                        referencedCount = references.stored.count
                        return references
                    }
                }
                print(report, referenced: referencedCount)
            }
        }

        /// Why prune refuses a repository other catalogs also record backups in: it keeps only what this one references.
        static func sharedRepository(_ record: BackupRepository, others: [CatalogRegistration]) -> CommandFailure {
            let named = others.map {
                "catalog \($0.catalogID.uuidString.lowercased()) at \($0.location) on \($0.hostname), registered "
                    + $0.registered.formatted(.iso8601)
            }
            return CommandFailure(
                "Repository '\(record.name)' also holds backups recorded by another catalog (\(named.joined(separator: "; "))). "
                    + "This catalog cannot tell which of the data they use, so prune would delete their backups; it is refused. "
                    + "If that installation is gone for good, run `lifeboat repo catalogs --forget <id>` first.")
        }

        private func print(_ report: PruneReport, referenced: Int) {
            let dry = report.dryRun
            StandardOutput.line("In use            \(referenced) chunks referenced by the catalog")
            StandardOutput.line("Packs before      \(report.packsBefore) (\(formattedBytes(report.bytesBefore)))")
            StandardOutput.line(
                "Unused packs      \(report.packsDeleted) \(dry ? "to delete" : "deleted")"
                    + (report.unindexedPacksDeleted > 0 ? " (\(report.unindexedPacksDeleted) left by interrupted backups)" : ""))
            StandardOutput.line(
                "Under-used packs  \(report.packsRepacked) \(dry ? "to repack" : "repacked"): \(report.chunksCopied) chunks "
                    + "\(dry ? "to copy" : "copied") into \(report.packsWritten) new pack\(report.packsWritten == 1 ? "" : "s")")
            StandardOutput.line("Kept packs        \(report.packsKept)")
            StandardOutput.line("\(dry ? "Chunks to remove  " : "Chunks removed    ")\(report.chunksRemoved)")
            if report.indexFilesWritten > 0 || report.indexFilesReplaced > 0 {
                StandardOutput.line(
                    "Index files       \(dry ? "would be " : "")\(report.indexFilesReplaced) replaced by \(report.indexFilesWritten)")
            }
            if report.missingPacksDropped > 0 {
                StandardOutput.line(
                    "Missing packs     \(report.missingPacksDropped) named by the index but absent from the store, "
                        + "\(dry ? "to drop" : "dropped") from the index")
            }
            if report.leftoversRemoved.count > 0 {
                StandardOutput.line(
                    "Leftovers         \(report.leftoversRemoved.count) removed (temporary files or incomplete uploads of "
                        + "interrupted writes, \(formattedBytes(report.leftoversRemoved.bytes)))")
            }
            if let failure = report.leftoverCleanupError {
                StandardOutput.line("Leftovers         not removed: \(failure)")
            }
            for pack in report.unreadablePacks {
                StandardOutput.line("Left alone        \(pack): its table is unreadable (see `lifeboat repo check`)")
            }
            StandardOutput.line(
                (dry ? "Would free        about " : "Freed             ") + formattedBytes(report.bytesFreed)
                    + " (\(formattedBytes(report.bytesBefore)) → \(formattedBytes(report.bytesAfter)))")
        }
    }
}
