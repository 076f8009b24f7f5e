import Catalog
import Foundation
import LifeboatTestSupport
import Testing

/// `lifeboat repo init|unlock|prune|check` run as an admin would, against a fresh data folder.
@Suite("lifeboat repo init, unlock, prune and check", .serialized)
struct RepoMaintenanceCommandTests {
    @Test("init creates and registers a repository once; unlock removes only stale locks; prune refuses a repository another catalog uses, and an empty catalog; check passes")
    func maintenanceCommands() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("lifeboat-repo-cli-\(UUID().uuidString)")
        let data = folder.appendingPathComponent("data")
        try FileManager.default.createDirectory(at: data, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        try Data("cli test password\n".utf8).write(to: data.appendingPathComponent("repository.password"))
        let repository = folder.appendingPathComponent("vault").path
        let settings = ["--data-dir", data.path]

        let created = try await LifeboatProcess.runToEnd(["repo", "init", repository, "--name", "vault"] + settings, in: folder)
        #expect(created.contains("Created repository 'vault' at \(repository)"))
        #expect(FileManager.default.fileExists(atPath: repository + "/config"))
        let keys = try FileManager.default.contentsOfDirectory(atPath: repository + "/keys")
        #expect(keys.count == 1)
        await #expect(throws: ChildProcessError.self, "a second init into the same folder is refused") {
            _ = try await LifeboatProcess.runToEnd(["repo", "init", repository] + settings, in: folder)
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: repository + "/keys") == keys)

        let info = try await LifeboatProcess.runToEnd(["repo", "info", "--repository", "vault"] + settings, in: folder)
        #expect(info.contains("Repository    vault at \(repository)"))

        // A lock of a process that died long ago, and one of a live process elsewhere.
        let locks = repository + "/locks"
        try FileManager.default.createDirectory(atPath: locks, withIntermediateDirectories: true)
        let stale = String(repeating: "a", count: 64)
        let live = String(repeating: "b", count: 64)
        try Self.lockJSON(kind: "exclusive", host: "crashed-host", refreshed: Date(timeIntervalSinceNow: -7200))
            .write(to: URL(fileURLWithPath: locks + "/" + stale))
        try Self.lockJSON(kind: "shared", host: "busy-host", refreshed: Date())
            .write(to: URL(fileURLWithPath: locks + "/" + live))
        let unlocked = try await LifeboatProcess.runToEnd(["repo", "unlock", "--repository", "vault"] + settings, in: folder)
        #expect(unlocked.contains("Removed stale lock locks/\(stale)"))
        #expect(unlocked.contains("Kept live lock locks/\(live)"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: locks) == [live])

        await #expect(throws: ChildProcessError.self, "prune waits for the live shared lock (a running backup)") {
            _ = try await LifeboatProcess.runToEnd(["repo", "prune", "--repository", "vault"] + settings, in: folder)
        }
        let removedAll = try await LifeboatProcess.runToEnd(["repo", "unlock", "--remove-all", "--repository", "vault"] + settings, in: folder)
        #expect(removedAll.contains("Removed live lock locks/\(live)"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: locks).isEmpty)

        // Another installation also backs up into this repository: prune from here would delete its backups.
        let listed = try await LifeboatProcess.runToEnd(["repo", "catalogs", "--repository", "vault"] + settings, in: folder)
        #expect(listed.contains("(this catalog)") && listed.contains("1 catalog registered"), "init registered this catalog")
        let other = UUID().uuidString.lowercased()
        try Data("""
            {"catalogID": "\(other)", "hostname": "standby-host", "location": "/srv/lifeboat/catalog.sqlite", "registered": "2026-11-01T10:00:00Z"}
            """.utf8).write(to: URL(fileURLWithPath: repository + "/catalogs/" + other))
        let refusal = await #expect(throws: ChildProcessError.self, "prune refuses while another catalog is registered") {
            _ = try await LifeboatProcess.runToEnd(["repo", "prune", "--dry-run", "--repository", "vault"] + settings, in: folder)
        }
        #expect("\(refusal.map { "\($0)" } ?? "")".contains("another catalog (catalog \(other) at /srv/lifeboat/catalog.sqlite on standby-host"))
        let forgot = try await LifeboatProcess.runToEnd(["repo", "catalogs", "--forget", other, "--repository", "vault"] + settings, in: folder)
        #expect(forgot.contains("Forgot catalog \(other)") && forgot.contains("1 catalog registered"))

        let emptyRefusal = await #expect(throws: ChildProcessError.self, "with no backed-up content in the catalog, prune refuses to delete everything") {
            _ = try await LifeboatProcess.runToEnd(["repo", "prune", "--dry-run", "--repository", "vault"] + settings, in: folder)
        }
        #expect("\(emptyRefusal.map { "\($0)" } ?? "")".contains("holds no backed-up content"))
        let checked = try await LifeboatProcess.runToEnd(["repo", "check", "--repository", "vault"] + settings, in: folder)
        #expect(checked.contains("0 used by backed-up items"))
        #expect(checked.contains("No problems found"))
    }

    @Test("prune keeps what a second record of the same folder references even when its path no longer leads there (an unmounted path); check is clean when it is back")
    func pruneKeepsAnUnrecognisedRecordsChunks() async throws {
        try await CLIInstallation.withRegisteredTenant { installation, organization in
            _ = try await installation.run(["repo", "init", "vault"])
            let vault = installation.folder.appendingPathComponent("vault").path
            let mount = installation.folder.appendingPathComponent("mounted-vault").path
            try FileManager.default.createSymbolicLink(atPath: mount, withDestinationPath: vault)
            let jobAdd = ["job", "add", "--organization", organization]
            _ = try await installation.run(jobAdd + ["--name", "users", "--all-users", "--repository", "vault"])
            // The same folder through another path: a second repository record, whose jobs' data is in the same packs.
            _ = try await installation.run(jobAdd + ["--name", "sites", "--all-sites", "--repository", mount])
            #expect(try await installation.withCatalog { try await $0.repositories() }.map(\.location).sorted() == [mount, vault])
            for job in ["users", "sites"] {
                let run = try await installation.run(["backup", "run", "--job", job])
                #expect(run.contains("ended: succeeded"), "\(run)")
            }

            try FileManager.default.removeItem(atPath: mount)
            let pruned = try await installation.run(["repo", "prune", "--repository", "vault"])
            #expect(pruned.contains("Chunks removed    0"), "the sites job's data is in use: \(pruned)")
            try FileManager.default.createSymbolicLink(atPath: mount, withDestinationPath: vault)
            let checked = try await installation.run(["repo", "check", "--read-data", "--repository", mount])
            #expect(checked.contains("No problems found"), "\(checked)")
        }
    }

    static func lockJSON(kind: String, host: String, refreshed: Date) -> Data {
        let time = ISO8601DateFormatter().string(from: refreshed)
        return Data("""
            {"kind": "\(kind)", "hostname": "\(host)", "pid": 4242, "created": "\(time)", "refreshed": "\(time)", "purpose": "test"}
            """.utf8)
    }
}
