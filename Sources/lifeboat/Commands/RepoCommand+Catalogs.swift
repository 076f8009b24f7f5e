import ArgumentParser
import Catalog
import ChunkStore
import Foundation
import LifeboatModel

extension RepoCommand {
    /// `lifeboat repo catalogs [--forget ID]`.
    struct Catalogs: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List the catalogs that record backups in a repository (--forget ID: remove one's registration).",
            discussion: """
                Every installation that backs up into a repository registers its catalog there, and prune refuses while \
                another catalog is registered: it keeps only what its own catalog references. Forget a catalog only when its \
                installation is gone for good; its backups in the repository are lost at the next prune.
                """)

        @OptionGroup var settings: SettingsOptions
        @OptionGroup var selection: Selection
        @Option(help: "The id of a catalog whose registration to remove.")
        var forget: String?

        func validate() throws {
            if let forget, UUID(uuidString: forget) == nil { throw ValidationError("--forget needs a catalog id (a UUID).") }
        }

        func run() async throws {
            try await LocalInstallation.with(settings) { installation in
                let target = try await installation.repositoryTarget(selection.repository)
                let own = try await installation.catalog.identity()
                try await target.withRepositoryErrors {
                    let store = try target.store()
                    guard try await store.head(key: "config") != nil else { throw ChunkStoreError.repositoryNotFound }
                    let catalogs = RepositoryCatalogs(store: store)
                    if let forget, let id = UUID(uuidString: forget) {
                        guard id != own else {
                            throw CommandFailure("\(forget) is this installation's own catalog; its next backup would register it again.")
                        }
                        guard try await catalogs.list().contains(where: { $0.catalogID == id }) else {
                            throw CommandFailure("No catalog \(forget) is registered in repository '\(target.record.name)'.")
                        }
                        try await catalogs.forget(id)
                        StandardOutput.line("Forgot catalog \(forget) in repository '\(target.record.name)'.")
                    }
                    let registered = try await catalogs.list()
                    for registration in registered {
                        StandardOutput.line(
                            "\(registration.catalogID.uuidString.lowercased())  \(registration.hostname)  \(registration.location)  "
                                + "registered \(registration.registered.formatted(.iso8601))"
                                + (registration.catalogID == own ? "  (this catalog)" : ""))
                    }
                    StandardOutput.line(
                        "Repository '\(target.record.name)': \(registered.count) catalog\(registered.count == 1 ? "" : "s") registered.")
                }
            }
        }
    }
}
