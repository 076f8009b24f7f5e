import ArgumentParser
import Catalog
import Foundation
import LifeboatModel
import LifeboatServer

/// `lifeboat user ...`: people who sign in to the API.
struct UserCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "user", abstract: "Manage API users.", subcommands: [Add.self])

    /// `lifeboat user add`.
    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create an administrator who signs in with POST /v6/Token (password from LIFEBOAT_NEW_USER_PASSWORD).")

        @OptionGroup var settings: SettingsOptions
        @Option(help: "User name.") var name: String

        func run() async throws {
            guard let password = ProcessInfo.processInfo.environment["LIFEBOAT_NEW_USER_PASSWORD"], password.count >= 12 else {
                throw CommandFailure("Set the new user's password (12 characters or more) in LIFEBOAT_NEW_USER_PASSWORD.")
            }
            try await LocalInstallation.with(settings, needsRepositoryPassword: false) { installation in
                try await installation.addAdministrator(name: name, password: password)
                StandardOutput.line("Created administrator '\(name)'.")
            }
        }
    }
}
