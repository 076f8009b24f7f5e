import Catalog
import Foundation
import LifeboatModel
import LifeboatTestSupport
import M365Simulator
import Testing

/// A new admin sets Lifeboat up against a separately started `lifeboat sim`, the way a real tenant is set up, and
/// makes the mistakes people make on the way.
@Suite("Setting up a tenant, repositories and jobs from the command line", .serialized)
struct AdminSetupTests {
    @Test("lifeboat sim prints a registration that works pasted verbatim; one custom URL alone, or a secret the tenant refuses, registers nothing (issue 13 item 9)")
    func printedRegistrationWorks() async throws {
        let installation = try CLIInstallation.empty(repositoryPassword: nil)
        defer { installation.remove() }
        let simulator = try LifeboatProcess.launch(["sim", "--port", "0", "--preset", "small"], in: installation.folder)
        defer { simulator.stop() }
        let printed = try await simulator.waitForOutput(timeout: .seconds(120)) { $0.contains("Press Ctrl-C") }
        let lines = printed.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
        let register = try #require(lines.first { $0.hasPrefix("LIFEBOAT_GRAPH_CLIENT_SECRET=") })
        let secret = try #require(printed.firstCapture(of: #/Client secret: +(\S+)/#))
        let graphURL = try #require(printed.firstCapture(of: #/Graph base URL: +(\S+)/#))
        #expect(register.contains("--login-url") && register.contains("--graph-url \(graphURL)"))

        // One custom endpoint alone would send the secret to Microsoft's sign-in: refused.
        let halfCustom = await installation.failure(
            ["organization", "add", "--name", "half", "--tenant-id", "t", "--client-id", "c", "--graph-url", graphURL],
            environment: ["LIFEBOAT_GRAPH_CLIENT_SECRET": secret])
        #expect(halfCustom.contains("go together"))
        // A secret the tenant refuses is refused at registration, not at the first backup.
        let wrongSecret = await #expect(throws: ChildProcessError.self) {
            _ = try await ShellCommand.run(
                register.replacingOccurrences(of: secret, with: "not-the-secret") + " --data-dir '\(installation.data.path)'", token: "",
                in: installation.folder)
        }
        #expect("\(wrongSecret.map { "\($0)" } ?? "")".contains("Not registered"))
        #expect(try await installation.run(["organization", "list"]).isEmpty)

        let registered = try await ShellCommand.run(register + " --data-dir '\(installation.data.path)'", token: "", in: installation.folder)
        #expect(registered.output.contains("the credentials work") && registered.output.contains("Registered organization"))
        #expect(try await installation.run(["organization", "list"]).contains(graphURL))
    }

    @Test("organization add needs no repository password and creates none: it never opens a repository (issue 13 item 6)")
    func registrationNeedsNoRepositoryPassword() async throws {
        let simulator = try await RunningSimulator.start(SimulatorConfiguration(tenant: .small(seed: 7)), logger: .quiet("test"))
        let installation = try CLIInstallation.empty(repositoryPassword: nil)
        defer { installation.remove() }
        let organization = try await installation.registerOrganization(simulator)
        try await simulator.shutdown()
        #expect(try await installation.run(["organization", "list"]).contains(organization))
        #expect(!FileManager.default.fileExists(atPath: installation.data.appendingPathComponent("repository.password").path))
        #expect(try await installation.withCatalog { try await $0.repositories() }.isEmpty)
    }

    @Test("repo init reminds to keep the password; a backup never creates a repository: with the folder gone it fails and the folder stays gone (issue 13 item 6)")
    func backupNeverCreatesARepository() async throws {
        try await CLIInstallation.withRegisteredTenant { installation, organization in
            let created = try await installation.run(["repo", "init", "other"])
            #expect(created.contains("keep a copy of it elsewhere"), "\(created)")
            _ = try await installation.run(["job", "add", "--organization", organization, "--all-users", "--name", "into-other", "--repository", "./other"])
            let other = installation.folder.appendingPathComponent("other")
            try FileManager.default.removeItem(at: other)
            let missing = await installation.failure(["backup", "run", "--job", "into-other"])
            #expect(missing.contains("holds no repository"), "\(missing)")
            #expect(!FileManager.default.fileExists(atPath: other.path))
        }
    }

    @Test("job add --repository resolves a registered name or a path, and refuses a bare word that names none, creating nothing (issue 13 item 7)")
    func repositoryNamesResolve() async throws {
        try await CLIInstallation.withRegisteredTenant { installation, organization in
            let jobAdd = ["job", "add", "--organization", organization, "--all-users"]
            let noRepository = await installation.failure(jobAdd + ["--name", "daily-all"])
            #expect(noRepository.contains("lifeboat repo init"), "\(noRepository)")
            let typo = await installation.failure(jobAdd + ["--name", "daily-all", "--repository", "vault"])
            #expect(typo.contains("No repository is named 'vault'"), "\(typo)")
            #expect(!FileManager.default.fileExists(atPath: installation.folder.appendingPathComponent("vault").path))
            #expect(try await installation.withCatalog { try await $0.repositories() }.isEmpty)

            _ = try await installation.run(["repo", "init", "vault-folder", "--name", "vault"])
            _ = try await installation.run(["repo", "init", "other"])
            _ = try await installation.run(jobAdd + ["--name", "daily-all", "--repository", "vault"])
            _ = try await installation.run(jobAdd + ["--name", "into-other", "--repository", "./other"])
            let stored = try await installation.withCatalog { catalog in
                let repositories = try await catalog.repositories()
                return try await catalog.jobs().map { job in (job.name, repositories.first { $0.id == job.repositoryID }?.name) }
            }
            #expect(Dictionary(uniqueKeysWithValues: stored) == ["daily-all": "vault", "into-other": "other"])
            let info = try await installation.run(["repo", "info", "--repository", "./other"])
            #expect(info.contains("Repository    other at \(installation.folder.appendingPathComponent("other").path)"), "\(info)")
        }
    }

    @Test("a second job of the same name is refused at job add, so backup run --job NAME names one job (issue 13 item 10)")
    func duplicateJobNamesRefused() async throws {
        try await CLIInstallation.withRegisteredTenant { installation, organization in
            _ = try await installation.run(["repo", "init", "vault"])
            let jobAdd = ["job", "add", "--organization", organization, "--all-users", "--name", "daily-all"]
            _ = try await installation.run(jobAdd)
            let duplicate = await installation.failure(jobAdd)
            #expect(duplicate.contains("A job named 'daily-all' already exists"), "\(duplicate)")
            let jobs = try await installation.run(["job", "list"])
            #expect(jobs.split(separator: "\n").filter { $0.contains("daily-all") }.count == 1, "\(jobs)")
            #expect(jobs.contains("never run") && !jobs.contains("NotConfigured"), "\(jobs)")
        }
    }

    @Test("prune of one repository is not refused for another repository's jobs, removes nothing in use, and check is clean after (issue 13 item 5)")
    func pruneWithTwoRepositories() async throws {
        try await CLIInstallation.withRegisteredTenant { installation, organization in
            _ = try await installation.run(["repo", "init", "vault"])
            _ = try await installation.run(["repo", "init", "other"])
            let jobAdd = ["job", "add", "--organization", organization, "--all-users"]
            _ = try await installation.run(jobAdd + ["--name", "daily-all", "--repository", "vault"])
            _ = try await installation.run(jobAdd + ["--name", "into-other", "--repository", "other"])
            for job in ["daily-all", "into-other"] {
                let run = try await installation.run(["backup", "run", "--job", job])
                #expect(run.contains("failed 0"), "\(run)")
            }
            let pruned = try await installation.run(["repo", "prune", "--repository", "vault"])
            #expect(pruned.contains("Chunks removed    0"), "\(pruned)")
            let checked = try await installation.run(["repo", "check", "--repository", "vault"])
            #expect(checked.contains("No problems found"), "\(checked)")
        }
    }

    @Test("what Lifeboat writes (catalog, logs, repository) is its owner's only, and a data folder others can read is reported (issue 13 item 16)")
    func writtenFilesAreTheOwners() async throws {
        try await CLIInstallation.withRegisteredTenant { installation, organization in
            _ = try await installation.run(["repo", "init", "vault"])
            _ = try await installation.run(["job", "add", "--organization", organization, "--all-users", "--name", "daily-all"])
            _ = try await installation.run(["backup", "run", "--job", "daily-all"])
            for root in [installation.data, installation.folder.appendingPathComponent("vault")] {
                for (path, mode) in try Self.modes(under: root) {
                    #expect(mode & 0o077 == 0, "\(path) has mode \(String(mode, radix: 8))")
                }
            }
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: installation.data.path)
            let listing = try LifeboatProcess.launch(["job", "list"] + installation.settings, in: installation.folder)
            _ = try await listing.waitForSuccess()
            #expect(listing.errorOutput.contains("\(installation.data.path) is readable by other local users"))
        }
    }

    @Test("--skip-check registers an organization whose sign-in service cannot be reached now (offline setup)")
    func offlineRegistration() async throws {
        let installation = try CLIInstallation.empty(repositoryPassword: nil)
        defer { installation.remove() }
        // Nothing listens on loopback's discard port. Without --skip-check the command fails naming the sign-in URL, but
        // only after the HTTP client's own retries (about two minutes, issue 13 item 2), too slow to test here.
        let offline = try await installation.run(
            [
                "organization", "add", "--name", "offline.example", "--tenant-id", "t", "--client-id", "c",
                "--login-url", "http://127.0.0.1:9", "--graph-url", "http://127.0.0.1:9/v1.0", "--skip-check",
            ], environment: ["LIFEBOAT_GRAPH_CLIENT_SECRET": "s3cret"])
        #expect(offline.contains("Registered organization offline.example") && !offline.contains("Signed in"))
        #expect(try await installation.run(["organization", "list"]).contains("offline.example"))
    }

    /// Every file and folder below `root` (and `root`) with its permission bits.
    static func modes(under root: URL) throws -> [(String, Int)] {
        var found: [(String, Int)] = []
        func mode(_ path: String) throws -> Int {
            (try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int ?? 0) & 0o777
        }
        found.append((root.path, try mode(root.path)))
        for relative in try FileManager.default.subpathsOfDirectory(atPath: root.path) {
            let path = root.appendingPathComponent(relative).path
            found.append((path, try mode(path)))
        }
        return found
    }
}
