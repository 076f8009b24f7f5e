import ArgumentParser
import Catalog
import Foundation
import LifeboatModel

/// `lifeboat organization ...`: the Microsoft 365 tenants Lifeboat protects.
struct OrganizationCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "organization", abstract: "Register and list Microsoft 365 organizations.", subcommands: [Add.self, List.self])

    /// `lifeboat organization add`.
    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Register a tenant through its app registration (client credentials with Graph application permissions).")

        @OptionGroup var settings: SettingsOptions
        @Option(help: "Display name, usually the tenant's primary domain (contoso.onmicrosoft.com).") var name: String
        @Option(help: "The Entra ID tenant id or domain.") var tenantId: String
        @Option(help: "The app registration's client id.") var clientId: String
        @Option(help: "Microsoft cloud: worldwide, usgov (GCC High), usdod, china (21Vianet).") var cloud: NationalCloud = .worldwide
        @Option(help: "Override the login base URL (simulators, proxies); with --graph-url, the cloud is custom.") var loginUrl: String?
        @Option(help: "Override the Graph v1.0 base URL (simulators, proxies); with --login-url, the cloud is custom.") var graphUrl: String?
        @Option(
            help: "Graph budget to pace to, in resource units per minute (1250 under 1,000 licences; 2500, 3750, 5000, 6250 above). Default: 1250 for Microsoft's clouds, unpaced for custom URLs."
        ) var resourceUnitsPerMinute: Int?

        func run() async throws {
            guard let secret = ProcessInfo.processInfo.environment["LIFEBOAT_GRAPH_CLIENT_SECRET"], !secret.isEmpty else {
                throw CommandFailure(
                    "Set the app registration's client secret in LIFEBOAT_GRAPH_CLIENT_SECRET (kept out of the command line and shell history).")
            }
            try await LocalInstallation.with(settings) { installation in
                if try await installation.catalog.organizations().contains(where: { $0.name == name }) {
                    throw CommandFailure("An organization named '\(name)' is already registered.")
                }
                if cloud == .custom, loginUrl == nil || graphUrl == nil {
                    throw CommandFailure("A custom cloud needs --login-url and --graph-url.")
                }
                if let resourceUnitsPerMinute, resourceUnitsPerMinute < 1 {
                    throw CommandFailure("--resource-units-per-minute must be at least 1.")
                }
                let loginBaseURL = loginUrl ?? cloud.loginBaseURL ?? ""
                let graphBaseURL = graphUrl ?? cloud.graphBaseURL ?? ""
                let organization = Organization(
                    name: name, tenantID: tenantId, clientID: clientId, loginBaseURL: loginBaseURL, graphBaseURL: graphBaseURL,
                    cloud: loginUrl == nil && graphUrl == nil ? cloud : NationalCloud(graphBaseURL: graphBaseURL),
                    resourceUnitsPerMinute: resourceUnitsPerMinute)
                try await installation.catalog.insertOrganization(organization)
                try await installation.catalog.setGraphSecret(secret, organizationID: organization.id)
                StandardOutput.line("Registered organization \(name) (\(organization.id.uuidString.lowercased())).")
            }
        }
    }

    /// `lifeboat organization list`.
    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List registered organizations.")

        @OptionGroup var settings: SettingsOptions

        func run() async throws {
            try await LocalInstallation.with(settings) { installation in
                for organization in try await installation.catalog.organizations() {
                    let budget = organization.effectiveResourceUnitsPerMinute.map { "\($0) RU/min" } ?? "unpaced"
                    StandardOutput.line(
                        "\(organization.id.uuidString.lowercased())  \(organization.name)  \(organization.cloud.rawValue)  \(organization.graphBaseURL)  \(budget)")
                }
            }
        }
    }
}

extension NationalCloud: ExpressibleByArgument {}
