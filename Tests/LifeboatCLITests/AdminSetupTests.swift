import Foundation
import LifeboatTestSupport
import Testing

/// A new admin sets Lifeboat up against a separately started `lifeboat sim`, the way a real tenant is set up, and
/// makes the mistakes people make on the way.
@Suite("Setting up a tenant, repositories and jobs from the command line", .serialized)
struct AdminSetupTests {
    @Test(
        "the simulator prints a registration that works verbatim; credentials are checked; repositories exist only by repo init; job names are unique; prune works with two repositories; everything written is the owner's only"
    )
    func setUpAsAnAdmin() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("lifeboat-setup-\(UUID().uuidString)")
        let data = folder.appendingPathComponent("data")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let settings = ["--data-dir", data.path]

        let simulator = try LifeboatProcess.launch(["sim", "--port", "0", "--preset", "small"], in: folder)
        defer { simulator.stop() }
        let printed = try await simulator.waitForOutput(timeout: .seconds(120)) { $0.contains("Press Ctrl-C") }
        let lines = printed.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
        let register = try #require(lines.first { $0.hasPrefix("LIFEBOAT_GRAPH_CLIENT_SECRET=") })
        let secret = try #require(printed.firstCapture(of: #/Client secret: +(\S+)/#))
        let graphURL = try #require(printed.firstCapture(of: #/Graph base URL: +(\S+)/#))
        #expect(register.contains("--login-url") && register.contains("--graph-url \(graphURL)"))

        // One custom endpoint alone would send the secret to Microsoft's sign-in: refused.
        let halfCustom = await #expect(throws: ChildProcessError.self) {
            _ = try await LifeboatProcess.runToEnd(
                ["organization", "add", "--name", "half", "--tenant-id", "t", "--client-id", "c", "--graph-url", graphURL] + settings,
                in: folder, environment: ["LIFEBOAT_GRAPH_CLIENT_SECRET": secret])
        }
        #expect("\(halfCustom.map { "\($0)" } ?? "")".contains("go together"))
        // A secret the tenant refuses is refused at registration, not at the first backup.
        let wrongSecret = await #expect(throws: ChildProcessError.self) {
            _ = try await ShellCommand.run(
                register.replacingOccurrences(of: secret, with: "not-the-secret") + " --data-dir '\(data.path)'", token: "", in: folder)
        }
        #expect("\(wrongSecret.map { "\($0)" } ?? "")".contains("Not registered"))
        #expect(try await LifeboatProcess.runToEnd(["organization", "list"] + settings, in: folder).isEmpty)

        // The printed line, pasted as is; no repository password is needed to register an organization.
        let registered = try await ShellCommand.run(register + " --data-dir '\(data.path)'", token: "", in: folder)
        #expect(registered.output.contains("the credentials work") && registered.output.contains("Registered organization"))
        #expect(!FileManager.default.fileExists(atPath: data.appendingPathComponent("repository.password").path))
        let organization = try #require(registered.output.firstCapture(of: #/Registered organization (\S+) /#))

        let jobAdd = ["job", "add", "--organization", organization, "--all-users"] + settings
        // No repository yet, and a bare word that names none: refused, and nothing is created.
        let noRepository = await #expect(throws: ChildProcessError.self) {
            _ = try await LifeboatProcess.runToEnd(jobAdd + ["--name", "daily-all"], in: folder)
        }
        #expect("\(noRepository.map { "\($0)" } ?? "")".contains("lifeboat repo init"))
        let typo = await #expect(throws: ChildProcessError.self) {
            _ = try await LifeboatProcess.runToEnd(jobAdd + ["--name", "daily-all", "--repository", "vault"], in: folder)
        }
        #expect("\(typo.map { "\($0)" } ?? "")".contains("No repository is named 'vault'"))
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("vault").path))

        #expect(FileManager.default.createFile(
            atPath: data.appendingPathComponent("repository.password").path, contents: Data("setup test password\n".utf8),
            attributes: [.posixPermissions: 0o600]))
        let created = try await LifeboatProcess.runToEnd(["repo", "init", "vault", "--name", "vault"] + settings, in: folder)
        #expect(created.contains("keep a copy of it elsewhere"))
        _ = try await LifeboatProcess.runToEnd(["repo", "init", "other"] + settings, in: folder)

        _ = try await LifeboatProcess.runToEnd(jobAdd + ["--name", "daily-all", "--repository", "vault"], in: folder)
        let duplicate = await #expect(throws: ChildProcessError.self) {
            _ = try await LifeboatProcess.runToEnd(jobAdd + ["--name", "daily-all", "--repository", "vault"], in: folder)
        }
        #expect("\(duplicate.map { "\($0)" } ?? "")".contains("A job named 'daily-all' already exists"))
        _ = try await LifeboatProcess.runToEnd(jobAdd + ["--name", "into-other", "--repository", "./other"], in: folder)
        let jobs = try await LifeboatProcess.runToEnd(["job", "list"] + settings, in: folder)
        #expect(jobs.split(separator: "\n").count == 2, "\(jobs)")
        #expect(jobs.contains("daily-all  never run") && !jobs.contains("NotConfigured"), "\(jobs)")
        let repositories = try await LifeboatProcess.runToEnd(["repo", "info", "--repository", "./other"] + settings, in: folder)
        #expect(repositories.contains("Repository    other at \(folder.appendingPathComponent("other").path)"))

        for job in ["daily-all", "into-other"] {
            let run = try await LifeboatProcess.runToEnd(["backup", "run", "--job", job] + settings, in: folder)
            #expect(run.contains("failed 0"), "\(run)")
        }
        // Each repository's own references: the other repository's jobs do not make prune refuse.
        let pruned = try await LifeboatProcess.runToEnd(["repo", "prune", "--repository", "vault"] + settings, in: folder)
        #expect(pruned.contains("Chunks removed    0"), "\(pruned)")
        let checked = try await LifeboatProcess.runToEnd(["repo", "check", "--repository", "vault"] + settings, in: folder)
        #expect(checked.contains("No problems found"))

        // What Lifeboat wrote is its owner's only.
        for root in [data, folder.appendingPathComponent("vault")] {
            for (path, mode) in try Self.modes(under: root) {
                #expect(mode & 0o077 == 0, "\(path) has mode \(String(mode, radix: 8))")
            }
        }
        // A backup never creates a repository: with the folder gone, the run fails and the folder stays gone.
        try FileManager.default.removeItem(at: folder.appendingPathComponent("other"))
        let missing = await #expect(throws: ChildProcessError.self) {
            _ = try await LifeboatProcess.runToEnd(["backup", "run", "--job", "into-other"] + settings, in: folder)
        }
        #expect("\(missing.map { "\($0)" } ?? "")".contains("holds no repository"))
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("other").path))

        // A data folder others can read is reported.
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: data.path)
        let listing = try LifeboatProcess.launch(["job", "list"] + settings, in: folder)
        _ = try await listing.waitForSuccess()
        #expect(listing.errorOutput.contains("\(data.path) is readable by other local users"))
    }

    @Test("--skip-check registers an organization whose sign-in service cannot be reached now (offline setup)")
    func offlineRegistration() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("lifeboat-offline-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let settings = ["--data-dir", folder.appendingPathComponent("data").path]
        // Nothing listens on loopback's discard port. Without --skip-check the command fails naming the sign-in URL, but
        // only after the HTTP client's own retries (about two minutes, issue 13 item 2), too slow to test here.
        let offline = try await LifeboatProcess.runToEnd(
            [
                "organization", "add", "--name", "offline.example", "--tenant-id", "t", "--client-id", "c",
                "--login-url", "http://127.0.0.1:9", "--graph-url", "http://127.0.0.1:9/v1.0", "--skip-check",
            ] + settings, in: folder, environment: ["LIFEBOAT_GRAPH_CLIENT_SECRET": "s3cret"])
        #expect(offline.contains("Registered organization offline.example") && !offline.contains("Signed in"))
        #expect(try await LifeboatProcess.runToEnd(["organization", "list"] + settings, in: folder).contains("offline.example"))
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
