import ArgumentParser
import Catalog
import ChunkStore
import Foundation
import LifeboatModel

extension RepoCommand {
    /// `lifeboat repo init [<folder>] [--name NAME]`.
    struct Init: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create an empty repository in a folder, protected by the configured repository password, and register it.",
            discussion: """
                The password comes from LIFEBOAT_REPOSITORY_PASSWORD (or lifeboat.repository.password in the config file, or
                <data-dir>/repository.password). Backup jobs then name the repository by its name or id.
                """)

        @OptionGroup var settings: SettingsOptions
        @Argument(help: "The folder to create the repository in; it must be empty or missing (default: <data-dir>/repository).")
        var folder: String?
        @Option(help: "The name jobs and commands use for the repository (default: the folder's name).")
        var name: String?

        func run() async throws {
            try await LocalInstallation.with(settings) { installation in
                let path = URL(fileURLWithPath: folder ?? installation.defaultRepositoryPath).standardizedFileURL.path
                let name = name ?? URL(fileURLWithPath: path).lastPathComponent
                let records = try await installation.catalog.repositories()
                if let taken = records.first(where: { $0.name == name && $0.location != path }) {
                    throw CommandFailure("A repository named '\(name)' already exists at \(taken.location); choose another --name.")
                }
                let contents = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
                if contents.contains("config") {
                    throw CommandFailure("\(path) already holds a repository; use it with --repository \(path).")
                }
                guard contents.filter({ !$0.hasPrefix(".") }).isEmpty else {
                    throw CommandFailure("\(path) is not empty; create the repository in an empty or new folder.")
                }
                let record = records.first { $0.location == path } ?? BackupRepository(name: name, location: path)
                let target = RepositoryTarget(record: record)
                let repository = try await target.withRepositoryErrors {
                    try await Repository.initialize(
                        store: LocalDirectoryStore(path: path), password: installation.repositoryPassword(), logger: installation.logger)
                }
                if !records.contains(where: { $0.id == record.id }) {
                    try await installation.catalog.insertRepository(record)
                }
                try await repository.catalogs().register(
                    .local(catalogID: try await installation.catalog.identity(), location: installation.catalog.location))
                StandardOutput.line(
                    "Created repository '\(record.name)' at \(path) (id \(repository.repositoryID)), registered as "
                        + "\(record.id.uuidString.lowercased()).")
                StandardOutput.line("It opens with the password in \(installation.repositoryPasswordSource); keep a copy of it elsewhere.")
            }
        }
    }
}
