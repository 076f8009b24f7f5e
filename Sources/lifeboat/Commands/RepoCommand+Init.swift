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
    /// Creates an empty repository at `location` (a folder, empty or missing, or `s3://bucket/prefix` holding none) with
    /// the configured password, registers it in the catalog (reusing a record already naming the location) and in
    /// the repository, and prints where its password is kept.
    func createRepository(at location: String, name: String?) async throws -> BackupRepository {
        let name = name ?? (RepositoryLocation.isS3(location) ? location : URL(fileURLWithPath: location).lastPathComponent)
        let records = try await catalog.repositories()
        if let taken = records.first(where: { $0.name == name && $0.location != location }) {
            throw CommandFailure("A repository named '\(name)' already exists at \(taken.location); choose another --name.")
        }
        let record = records.first { $0.location == location } ?? BackupRepository(name: name, location: location)
        let target = RepositoryTarget(record: record, stores: repositories.stores)
        if RepositoryLocation.isS3(location) {
            if try await target.store().head(key: "config") != nil {
                throw CommandFailure("\(location) already holds a repository; use it with --repository \(location).")
            }
        } else {
            let contents = (try? FileManager.default.contentsOfDirectory(atPath: location)) ?? []
            if contents.contains("config") {
                throw CommandFailure("\(location) already holds a repository; use it with --repository \(location).")
            }
            guard contents.filter({ !$0.hasPrefix(".") }).isEmpty else {
                throw CommandFailure("\(location) is not empty; create the repository in an empty or new folder.")
            }
            try PrivateFolder.create(URL(fileURLWithPath: location), logger: logger)
        }
        let repository = try await target.withRepositoryErrors {
            try await Repository.initialize(store: target.store(), password: repositoryPassword(), logger: logger)
        }
        if !records.contains(where: { $0.id == record.id }) {
            try await catalog.insertRepository(record)
        }
        try await repository.catalogs().register(.local(catalogID: try await catalog.identity(), location: catalog.location))
        StandardOutput.line(
            "Created repository '\(record.name)' at \(location) (id \(repository.repositoryID)), registered as "
                + "\(record.id.uuidString.lowercased()).")
        StandardOutput.line("It opens with the password in \(repositoryPasswordSource); keep a copy of it elsewhere.")
        return record
    }
}
