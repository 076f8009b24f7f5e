import ArgumentParser
import BackupEngine
import Catalog
import Foundation
import LifeboatModel

/// `lifeboat job ...`: backup jobs.
struct JobCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "job", abstract: "Create and list backup jobs.", subcommands: [Add.self, List.self])

    /// `lifeboat job add`.
    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a backup job of an organization's OneDrives and sites.")

        @OptionGroup var settings: SettingsOptions
        @Option(help: "The organization's name or id.") var organization: String
        @Option(help: "Job name.") var name: String
        @Flag(help: "Back up every user's OneDrive.") var allUsers = false
        @Option(name: .customLong("user"), help: "A user principal name whose OneDrive to back up (repeatable).") var users: [String] = []
        @Flag(help: "Back up every site collection.") var allSites = false
        @Option(name: .customLong("site"), help: "An absolute site URL to back up with its subsites (repeatable).") var sites: [String] = []
        @Option(
            help: "The repository's name or id, or its location written as a path (/srv/repo, ./repo, ~/repo) or s3://bucket/prefix; it must exist (`lifeboat repo init`). Default: the only repository, or <data-dir>/repository."
        ) var repository: String?

        func validate() throws {
            guard allUsers || allSites || !users.isEmpty || !sites.isEmpty else {
                throw ValidationError("Select something to back up: --all-users, --user, --all-sites or --site.")
            }
            for site in sites where URL(string: site)?.host == nil {
                throw ValidationError("--site '\(site)' is not an absolute URL (https://contoso.sharepoint.com/sites/Finance).")
            }
        }

        func run() async throws {
            try await LocalInstallation.with(settings, needsRepositoryPassword: false) { installation in
                let organizations = try await installation.catalog.organizations()
                guard let owner = organizations.first(where: { $0.name == organization || $0.id.uuidString.lowercased() == organization.lowercased() })
                else {
                    throw CommandFailure("No organization '\(organization)' (see `lifeboat organization list`).")
                }
                let record = try await installation.registeredRecord(repository)
                let job = BackupJob(
                    organizationID: owner.id, repositoryID: record.id, name: name,
                    scope: BackupScope(allUsers: allUsers, users: users, allSites: allSites, sites: sites))
                do {
                    try await installation.catalog.insertJob(job)
                } catch let error as CatalogError {
                    guard case .alreadyExists = error else { throw error }
                    throw CommandFailure(
                        "A job named '\(name)' already exists (see `lifeboat job list`); choose another --name, "
                            + "so `lifeboat backup run --job \(name)` names one job.")
                }
                StandardOutput.line("Created job '\(name)' (\(job.id.uuidString.lowercased())). Run it: lifeboat backup run --job \(job.id.uuidString.lowercased())")
            }
        }
    }

    /// `lifeboat job list`.
    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List backup jobs with their last status.")

        @OptionGroup var settings: SettingsOptions

        func run() async throws {
            try await LocalInstallation.with(settings, needsRepositoryPassword: false) { installation in
                let formatter = ISO8601DateFormatter()
                for job in try await installation.catalog.jobs() {
                    // A job that never ran has no outcome to show; its stored status is only the model's default.
                    let last = job.lastRun.map { "last run \(formatter.string(from: $0)): \(job.lastStatus.rawValue)" } ?? "never run"
                    StandardOutput.line("\(job.id.uuidString.lowercased())  \(job.name)  \(last)")
                }
            }
        }
    }
}
