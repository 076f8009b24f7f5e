import ArgumentParser
import BackupEngine
import Catalog
import ChunkStore
import Foundation
import LifeboatModel

extension RepoCommand {
    /// `lifeboat repo init [<folder>|s3://bucket/prefix] [--name NAME]`.
    struct Init: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create an empty repository in a folder or S3 prefix, protected by the configured repository password, and register it.",
            discussion: """
                The password comes from LIFEBOAT_REPOSITORY_PASSWORD (or lifeboat.repository.password in the config file, or \
                <data-dir>/repository.password). Backup jobs then name the repository by its name or id. Lifeboat creates \
                repositories only here (and in quickstart): a backup into a folder that holds none fails instead.
                """)

        @OptionGroup var settings: SettingsOptions
        @Argument(help: "The folder (empty or missing) or s3://bucket/prefix to create the repository in (default: <data-dir>/repository).")
        var folder: String?
        @Option(help: "The name jobs and commands use for the repository (default: the folder's name).")
        var name: String?

        func run() async throws {
            try await LocalInstallation.with(settings) { installation in
                let requested = folder ?? installation.defaultRepositoryPath
                let location =
                    RepositoryLocation.isS3(requested) ? requested : URL(fileURLWithPath: requested).standardizedFileURL.path
                _ = try await installation.createRepository(at: location, name: name)
            }
        }
    }
}

extension LocalInstallation {
    /// Creates an empty repository at `location` (see `RepositoryRecords.create`) with the configured password and
    /// prints where its password is kept.
    func createRepository(at location: String, name: String?) async throws -> BackupRepository {
        let records = repositoryRecords
        let password = try repositoryPassword()
        let registration = CatalogRegistration.local(catalogID: try await catalog.identity(), location: catalog.location)
        let pending = BackupRepository(name: name ?? location, location: location)
        let (record, repository) = try await RepositoryTarget(record: pending, records: records).withRepositoryErrors {
            try await records.create(at: location, name: name, password: password, catalog: registration, logger: logger)
        }
        if !RepositoryLocation.isS3(location) { PrivateFolder.warnIfShared(URL(fileURLWithPath: location), logger: logger) }
        StandardOutput.line(
            "Created repository '\(record.name)' at \(location) (id \(repository.repositoryID)), registered as "
                + "\(record.id.uuidString.lowercased()).")
        StandardOutput.line("It opens with the password in \(repositoryPasswordSource); keep a copy of it elsewhere.")
        return record
    }
}
