import ArgumentParser
import Catalog
import Foundation
import LifeboatModel
import M365Graph

/// `lifeboat organization ...`: the Microsoft 365 tenants Lifeboat protects.
struct OrganizationCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "organization", abstract: "Register, edit and list Microsoft 365 organizations.",
        subcommands: [Add.self, Edit.self, List.self])

    /// `lifeboat organization add`.
    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Register a tenant through its app registration (client credentials with Graph application permissions).")

        @OptionGroup var settings: SettingsOptions
        @Option(help: "Display name, usually the tenant's primary domain (contoso.onmicrosoft.com).") var name: String
        @Option(help: "The Entra ID tenant id or domain.") var tenantId: String
        @Option(help: "The app registration's client id.") var clientId: String
        @Option(help: "Microsoft cloud: worldwide, usgov (GCC High), usdod, china (21Vianet).") var cloud: NationalCloud = .worldwide
        @Option(help: "The sign-in base URL for a tenant outside Microsoft's clouds (simulator, proxy); goes with --graph-url.")
        var loginUrl: String?
        @Option(help: "The Graph v1.0 base URL for a tenant outside Microsoft's clouds (simulator, proxy); goes with --login-url.")
        var graphUrl: String?
        @Option(
            help: "Graph budget to pace to, in resource units per minute (1250 under 1,000 licences; 2500, 3750, 5000, 6250 above). Default: 1250 for Microsoft's clouds, unpaced for custom URLs."
        ) var resourceUnitsPerMinute: Int?
        @Flag(help: "Register without signing in first (offline setup); the first backup then finds out whether the credentials work.")
        var skipCheck = false

        func validate() throws {
            switch (loginUrl, graphUrl) {
            case (nil, nil):
                if cloud == .custom { throw ValidationError("A custom cloud needs --login-url and --graph-url.") }
            case (let login?, let graph?):
                for (option, url) in [("--login-url", login), ("--graph-url", graph)] {
                    guard let parsed = URL(string: url), ["http", "https"].contains(parsed.scheme?.lowercased() ?? ""), parsed.host != nil
                    else { throw ValidationError("\(option) '\(url)' is not an http(s) URL.") }
                }
            case (_?, nil), (nil, _?):
                // One alone would pair a custom endpoint with Microsoft's: the client secret would go to a sign-in
                // service other than the Graph it is meant for.
                throw ValidationError(
                    "--login-url and --graph-url go together: give both (`lifeboat sim` prints them) or neither, so the client "
                        + "secret is sent only to the sign-in service of the Graph it is for.")
            }
            if let resourceUnitsPerMinute, resourceUnitsPerMinute < 1 {
                throw ValidationError("--resource-units-per-minute must be at least 1.")
            }
        }

        func run() async throws {
            guard let secret = ProcessInfo.processInfo.environment["LIFEBOAT_GRAPH_CLIENT_SECRET"], !secret.isEmpty else {
                throw CommandFailure(
                    "Set the app registration's client secret in LIFEBOAT_GRAPH_CLIENT_SECRET (kept out of the command line and shell history).")
            }
            try await LocalInstallation.with(settings, needsRepositoryPassword: false) { installation in
                if try await installation.catalog.organizations().contains(where: { $0.name == name }) {
                    throw CommandFailure("An organization named '\(name)' is already registered.")
                }
                let loginBaseURL = loginUrl ?? cloud.loginBaseURL ?? ""
                let graphBaseURL = graphUrl ?? cloud.graphBaseURL ?? ""
                let organization = Organization(
                    name: name, tenantID: tenantId, clientID: clientId, loginBaseURL: loginBaseURL, graphBaseURL: graphBaseURL,
                    cloud: graphUrl == nil ? cloud : NationalCloud(graphBaseURL: graphBaseURL),
                    resourceUnitsPerMinute: resourceUnitsPerMinute)
                if !skipCheck {
                    try await signIn(organization, secret: secret, installation: installation)
                }
                try await installation.catalog.insertOrganization(organization)
                try await installation.catalog.setGraphSecret(secret, organizationID: organization.id)
                StandardOutput.line("Registered organization \(name) (\(organization.id.uuidString.lowercased())).")
            }
        }

        /// Signs in as the app registration, so credentials that do not work are refused now rather than at the first backup.
        private func signIn(_ organization: Organization, secret: String, installation: LocalInstallation) async throws {
            let graph = GraphClient(
                httpClient: installation.httpClient, endpoints: GraphEndpoints(organization: organization),
                credentials: GraphCredentials(tenantID: organization.tenantID, clientID: organization.clientID, clientSecret: secret),
                logger: installation.logger)
            do {
                try await graph.signIn()
            } catch {
                throw CommandFailure(
                    "Not registered: signing in to \(organization.loginBaseURL) for tenant \(organization.tenantID) as client "
                        + "\(organization.clientID) failed: \(error) --skip-check registers without signing in (offline setup).")
            }
            StandardOutput.line("Signed in to \(organization.loginBaseURL) as client \(organization.clientID): the credentials work.")
        }
    }

    /// `lifeboat organization edit`.
    struct Edit: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Change an organization's settings: the time zone its jobs' schedules are read in.")

        @OptionGroup var settings: SettingsOptions
        @Argument(help: "The organization's name or id.") var organization: String
        @Option(help: "An IANA time zone (Europe/Berlin, America/New_York, UTC): daily times and backup windows are read in it.")
        var timeZone: String

        func validate() throws {
            guard TimeZone.knownTimeZoneIdentifiers.contains(timeZone) || timeZone == "UTC", TimeZone(identifier: timeZone) != nil else {
                let city = timeZone.split(separator: "/").last.map { $0.lowercased() } ?? timeZone.lowercased()
                let similar = TimeZone.knownTimeZoneIdentifiers.filter { $0.lowercased().contains(city) }.prefix(5)
                throw ValidationError(
                    "--time-zone '\(timeZone)' is not an IANA time zone name (Europe/Berlin, America/New_York, UTC)"
                        + (similar.isEmpty ? "." : "; did you mean \(similar.joined(separator: ", "))?"))
            }
        }

        func run() async throws {
            try await LocalInstallation.with(settings, needsRepositoryPassword: false) { installation in
                let catalog = installation.catalog
                let organizations = try await catalog.organizations()
                guard
                    let owner = organizations.first(where: {
                        $0.name == organization || $0.id.uuidString.lowercased() == organization.lowercased()
                    })
                else {
                    throw CommandFailure("No organization '\(organization)' (see `lifeboat organization list`).")
                }
                try await catalog.setOrganizationTimeZone(id: owner.id, identifier: timeZone)
                let jobs = try await catalog.jobs().filter { $0.organizationID == owner.id }.count
                StandardOutput.line(
                    "Organization \(owner.name) now uses time zone \(timeZone); the schedules of its \(jobs) job\(jobs == 1 ? "" : "s") "
                        + "are read in it.")
            }
        }
    }

    /// `lifeboat organization list`.
    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List registered organizations.")

        @OptionGroup var settings: SettingsOptions

        func run() async throws {
            try await LocalInstallation.with(settings, needsRepositoryPassword: false) { installation in
                for organization in try await installation.catalog.organizations() {
                    let budget = organization.effectiveResourceUnitsPerMinute.map { "\($0) RU/min" } ?? "unpaced"
                    StandardOutput.line(
                        "\(organization.id.uuidString.lowercased())  \(organization.name)  \(organization.cloud.rawValue)  \(organization.graphBaseURL)  \(budget)  \(organization.timeZoneIdentifier)")
                }
            }
        }
    }
}

extension NationalCloud: ExpressibleByArgument {}
