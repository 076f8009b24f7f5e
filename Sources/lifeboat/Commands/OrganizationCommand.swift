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
        @Option(help: "Microsoft cloud: worldwide, usgov, usdod, china.") var cloud: MicrosoftCloud = .worldwide
        @Option(help: "Override the login base URL (simulators, proxies).") var loginUrl: String?
        @Option(help: "Override the Graph v1.0 base URL (simulators, proxies).") var graphUrl: String?

        func run() async throws {
            guard let secret = ProcessInfo.processInfo.environment["LIFEBOAT_GRAPH_CLIENT_SECRET"], !secret.isEmpty else {
                throw CommandFailure(
                    "Set the app registration's client secret in LIFEBOAT_GRAPH_CLIENT_SECRET (kept out of the command line and shell history).")
            }
            try await LocalInstallation.with(settings) { installation in
                if try await installation.catalog.organizations().contains(where: { $0.name == name }) {
                    throw CommandFailure("An organization named '\(name)' is already registered.")
                }
                let organization = Organization(
                    name: name, tenantID: tenantId, clientID: clientId, loginBaseURL: loginUrl ?? cloud.loginBaseURL,
                    graphBaseURL: graphUrl ?? cloud.graphBaseURL)
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
                    StandardOutput.line("\(organization.id.uuidString.lowercased())  \(organization.name)  \(organization.graphBaseURL)")
                }
            }
        }
    }
}

/// The Microsoft clouds and their login and Graph endpoints.
enum MicrosoftCloud: String, ExpressibleByArgument, CaseIterable {
    case worldwide
    case usgov
    case usdod
    case china

    /// The Entra ID login base URL.
    var loginBaseURL: String {
        switch self {
        case .worldwide, .usgov: "https://login.microsoftonline.com"
        case .usdod: "https://login.microsoftonline.us"
        case .china: "https://login.chinacloudapi.cn"
        }
    }

    /// The Graph v1.0 base URL.
    var graphBaseURL: String {
        switch self {
        case .worldwide: "https://graph.microsoft.com/v1.0"
        case .usgov: "https://graph.microsoft.us/v1.0"
        case .usdod: "https://dod-graph.microsoft.us/v1.0"
        case .china: "https://microsoftgraph.chinacloudapi.cn/v1.0"
        }
    }
}
