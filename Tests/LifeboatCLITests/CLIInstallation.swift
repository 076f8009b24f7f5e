import Catalog
import Crypto
import Foundation
import LifeboatModel
import LifeboatTestSupport
import M365Simulator
import Testing

/// A folder an admin works in with the built `lifeboat`, its data folder inside; the catalog it leaves can be opened to
/// check what the commands stored.
struct CLIInstallation {
    /// The working folder (repositories made with relative paths land here).
    let folder: URL
    /// The data folder (`--data-dir`).
    let data: URL

    /// The options that point a command at this installation.
    var settings: [String] { ["--data-dir", data.path] }

    /// A new folder and, when `repositoryPassword` is given, the repository password in `<data-dir>/repository.password`
    /// (else the data folder is left for `lifeboat` to create).
    static func empty(repositoryPassword: String? = "cli test password") throws -> CLIInstallation {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("lifeboat-cli-\(UUID().uuidString)")
        let installation = CLIInstallation(folder: folder, data: folder.appendingPathComponent("data"))
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        if let repositoryPassword { try installation.writeRepositoryPassword(repositoryPassword) }
        return installation
    }

    /// A data folder with a repository named `vault` (`repo init`), an organization for `simulator` and one job per
    /// scope, named by the keys, written straight into the catalog.
    static func make(simulator: RunningSimulator, jobs: [String: BackupScope]) async throws -> CLIInstallation {
        let installation = try empty()
        _ = try await installation.run(["repo", "init", installation.folder.appendingPathComponent("vault").path, "--name", "vault"])
        try await installation.withCatalog { catalog in
            let repository = try #require(try await catalog.repositories().first { $0.name == "vault" })
            let organization = Organization(
                name: "contoso.onmicrosoft.com", tenantID: simulator.tenantID, clientID: simulator.clientID,
                loginBaseURL: simulator.loginBaseURL, graphBaseURL: simulator.graphBaseURL)
            try await catalog.insertOrganization(organization)
            try await catalog.setGraphSecret(simulator.clientSecret, organizationID: organization.id)
            for (name, scope) in jobs {
                try await catalog.insertJob(BackupJob(organizationID: organization.id, repositoryID: repository.id, name: name, scope: scope))
            }
        }
        return installation
    }

    /// Makes an installation for `simulator` with `jobs`, runs `body`, then shuts the simulator down and removes the
    /// installation's folder, whether `body` throws or not.
    static func with(
        _ simulator: RunningSimulator, jobs: [String: BackupScope], _ body: (CLIInstallation) async throws -> Void
    ) async throws {
        try await with(simulator, setUp: { try await make(simulator: simulator, jobs: jobs) }, body)
    }

    /// Starts a simulated tenant of `spec`, registers it in an installation that has a repository password but no
    /// repository yet (`organization add`, as an admin does), and runs `body` with the organization's id; then shuts
    /// the simulator down and removes the folder, whether `body` throws or not.
    static func withRegisteredTenant(
        _ spec: TenantSpec = .small(seed: 7), _ body: (CLIInstallation, _ organization: String) async throws -> Void
    ) async throws {
        let simulator = try await RunningSimulator.start(SimulatorConfiguration(tenant: spec), logger: .quiet("test"))
        var organization = ""
        try await with(simulator) {
            // Registered first, as an admin does: Lifeboat creates the data folder, and the password goes into it after.
            let installation = try empty(repositoryPassword: nil)
            do {
                organization = try await installation.registerOrganization(simulator)
                try installation.writeRepositoryPassword("cli test password")
            } catch {
                installation.remove()
                throw error
            }
            return installation
        } _: { installation in
            try await body(installation, organization)
        }
    }

    private static func with(
        _ simulator: RunningSimulator, setUp: () async throws -> CLIInstallation, _ body: (CLIInstallation) async throws -> Void
    ) async throws {
        do {
            let installation = try await setUp()
            defer { installation.remove() }
            try await body(installation)
            try await simulator.shutdown()
        } catch {
            try? await simulator.shutdown()
            throw error
        }
    }

    /// Writes the repository password where `lifeboat` looks for it when no variable sets it, readable by its owner only.
    func writeRepositoryPassword(_ password: String) throws {
        if !FileManager.default.fileExists(atPath: data.path) {
            try FileManager.default.createDirectory(at: data, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        }
        #expect(FileManager.default.createFile(
            atPath: data.appendingPathComponent("repository.password").path, contents: Data("\(password)\n".utf8),
            attributes: [.posixPermissions: 0o600]))
    }

    /// Runs `lifeboat arguments --data-dir …` in the folder to its end and returns what it printed; throws
    /// `ChildProcessError` when it exits non-zero.
    func run(_ arguments: [String], environment: [String: String] = [:]) async throws -> String {
        try await LifeboatProcess.runToEnd(arguments + settings, in: folder, environment: environment)
    }

    /// Runs `lifeboat arguments --data-dir …`, expecting it to fail, and returns its failure (command, status and both
    /// outputs) to check the message against; records an issue when it succeeds.
    func failure(
        _ arguments: [String], environment: [String: String] = [:], sourceLocation: SourceLocation = #_sourceLocation
    ) async -> String {
        let failure = await #expect(throws: ChildProcessError.self, sourceLocation: sourceLocation) {
            _ = try await run(arguments, environment: environment)
        }
        return failure.map { "\($0)" } ?? ""
    }

    /// Registers `simulator`'s tenant with `organization add` as an admin would (the secret in its variable) and returns
    /// the organization's id.
    func registerOrganization(_ simulator: RunningSimulator, name: String = "contoso.onmicrosoft.com") async throws -> String {
        let output = try await run(
            [
                "organization", "add", "--name", name, "--tenant-id", simulator.tenantID, "--client-id", simulator.clientID,
                "--login-url", simulator.loginBaseURL, "--graph-url", simulator.graphBaseURL,
            ], environment: ["LIFEBOAT_GRAPH_CLIENT_SECRET": simulator.clientSecret])
        return try #require(output.firstCapture(of: #/Registered organization \S+ \(([0-9a-f-]+)\)/#), "\(output)")
    }

    /// Opens the data folder's catalog (as the CLI left it) for `body`.
    func withCatalog<Result: Sendable>(_ body: (SQLCatalog) async throws -> Result) async throws -> Result {
        let key = try String(contentsOf: data.appendingPathComponent("catalog.key"), encoding: .utf8)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let catalog = try await SQLCatalog.openSQLite(
            path: data.appendingPathComponent("catalog.sqlite").path,
            secretKey: SymmetricKey(data: try #require(Data(base64Encoded: key))), logger: .quiet("test"))
        do {
            let result = try await body(catalog)
            try await catalog.shutdown()
            return result
        } catch {
            try? await catalog.shutdown()
            throw error
        }
    }

    /// The job named `name`, as stored.
    func job(named name: String) async throws -> BackupJob {
        try await withCatalog { catalog in try #require(try await catalog.jobs().first { $0.name == name }) }
    }

    /// The runs of the job named `name`, newest first.
    func runs(of name: String) async throws -> [JobRun] {
        try await withCatalog { catalog in
            let job = try #require(try await catalog.jobs().first { $0.name == name })
            return try await catalog.runs(jobID: job.id)
        }
    }

    /// Removes the folder and everything in it.
    func remove() { try? FileManager.default.removeItem(at: folder) }
}
