import ArgumentParser
import Foundation

/// The `lifeboat` command: a self-hosted backup and restore server for Microsoft 365.
@main
struct Lifeboat: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lifeboat",
        abstract: "Back up and restore Microsoft 365 OneDrive and SharePoint libraries.",
        discussion: """
            Start with `lifeboat quickstart`: it backs up a simulated tenant into ./lifeboat-data and serves the API. \
            Settings come from options, then LIFEBOAT_* environment variables, then a JSON file (--config).
            """,
        subcommands: [
            QuickstartCommand.self, ServeCommand.self, SimulatorCommand.self, BackupCommand.self,
            RestorePointsCommand.self, OrganizationCommand.self, JobCommand.self, UserCommand.self, AppCommand.self, RepoCommand.self,
            RetentionCommand.self,
        ])

    /// Runs the command with every file and folder it creates readable by its owner only.
    static func main() async {
        // The catalog (password hashes, every backed-up path), the logs and the repository's keys and packs: whatever
        // creates them (SQLite's WAL, the log file, a library), they are not for other local users.
        umask(0o077)
        await main(nil)
    }
}
