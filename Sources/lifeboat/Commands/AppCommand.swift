import ArgumentParser
import Catalog
import Crypto
import Foundation
import LifeboatModel
import LifeboatServer

/// `lifeboat app ...`: applications that call the AvePoint-style API with client credentials.
struct AppCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "app", abstract: "Manage API applications (client credentials).", subcommands: [Add.self, List.self])

    /// `lifeboat app add`.
    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Register an application that gets tokens from POST /connect/token; prints its client secret once.",
            discussion: "Scopes: \(APIScope.all.joined(separator: ", ")). 'admin' grants every scope.")

        @OptionGroup var settings: SettingsOptions
        @Option(help: "The application's client id (what it sends as client_id).") var name: String
        @Option(help: "A scope to grant; repeat for several.") var scope: [String] = []

        func validate() throws {
            guard !name.trimmingCharacters(in: .whitespaces).isEmpty else { throw ValidationError("--name must not be empty.") }
            guard !scope.isEmpty else {
                throw ValidationError("Grant at least one --scope: \(APIScope.all.joined(separator: ", ")).")
            }
        }

        func run() async throws {
            var scopes: [String] = []
            for requested in scope {
                guard let canonical = APIScope.canonical(requested) else {
                    throw CommandFailure("Unknown scope '\(requested)'. Scopes: \(APIScope.all.joined(separator: ", ")).")
                }
                if !scopes.contains(canonical) { scopes.append(canonical) }
            }
            // 256 random bits, base64url: safe in a form body and a shell variable alike.
            let secret = SymmetricKey(size: .bits256).withUnsafeBytes { Data($0) }.base64EncodedString()
                .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
                .replacingOccurrences(of: "=", with: "")
            try await LocalInstallation.with(settings, needsRepositoryPassword: false) { installation in
                if try await installation.catalog.credential(name: name) != nil {
                    throw CommandFailure("A user or application named '\(name)' already exists.")
                }
                try await installation.catalog.insertPrincipal(
                    StoredCredential(
                        principal: Principal(name: name, kind: .application, scopes: scopes),
                        secretHash: try SecretHasher().hash(secret)))
            }
            StandardOutput.line("Registered application '\(name)' with scopes: \(scopes.joined(separator: " "))")
            StandardOutput.line("client_id:     \(name)")
            StandardOutput.line("client_secret: \(secret)")
            StandardOutput.line("The secret is shown only now; Lifeboat keeps only its hash.")
        }
    }

    /// `lifeboat app list`.
    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the registered applications and their scopes.")

        @OptionGroup var settings: SettingsOptions

        func run() async throws {
            let applications = try await LocalInstallation.with(settings, needsRepositoryPassword: false) { installation in
                try await installation.catalog.principals().filter { $0.kind == .application }
            }
            guard !applications.isEmpty else {
                StandardOutput.line("No applications are registered; add one with 'lifeboat app add --name <client id> --scope <scope>'.")
                return
            }
            for application in applications {
                StandardOutput.line("\(application.name)  \(application.scopes.joined(separator: " "))")
            }
        }
    }
}
