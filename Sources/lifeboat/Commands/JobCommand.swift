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
        @Option(help: "Repository folder or s3://bucket/prefix (default: <data-dir>/repository).") var repository: String?

        func validate() throws {
            guard allUsers || allSites || !users.isEmpty || !sites.isEmpty else {
                throw ValidationError("Select something to back up: --all-users, --user, --all-sites or --site.")
            }
            for site in sites where URL(string: site)?.host == nil {
                throw ValidationError("--site '\(site)' is not an absolute URL (https://contoso.sharepoint.com/sites/Finance).")
            }
        }

        func run() async throws {
            try await LocalInstallation.with(settings) { installation in
                let organizations = try await installation.catalog.organizations()
                guard let owner = organizations.first(where: { $0.name == organization || $0.id.uuidString.lowercased() == organization.lowercased() })
                else {
                    throw CommandFailure("No organization '\(organization)' (see `lifeboat organization list`).")
                }
                let requested = repository ?? installation.defaultRepositoryPath
                let location =
                    RepositoryLocation.isS3(requested) ? requested : URL(fileURLWithPath: requested).standardizedFileURL.path
                let record = try await installation.repositoryRecord(at: location)
                let job = BackupJob(
                    organizationID: owner.id, repositoryID: record.id, name: name,
                    scope: BackupScope(allUsers: allUsers, users: users, allSites: allSites, sites: sites))
                try await installation.catalog.insertJob(job)
                StandardOutput.line("Created job '\(name)' (\(job.id.uuidString.lowercased())). Run it: lifeboat backup run --job \(job.id.uuidString.lowercased())")
            }
        }
    }

    /// `lifeboat job list`.
    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List backup jobs with their last status.")

        @OptionGroup var settings: SettingsOptions

        func run() async throws {
            try await LocalInstallation.with(settings) { installation in
                let formatter = ISO8601DateFormatter()
                for job in try await installation.catalog.jobs() {
                    let last = job.lastRun.map { formatter.string(from: $0) } ?? "never"
                    StandardOutput.line("\(job.id.uuidString.lowercased())  \(job.name)  last run \(last): \(job.lastStatus.rawValue)")
                }
            }
        }
    }
}
