import Foundation
import Testing

/// Runs the built `lifeboat` executable as a new user would and follows what it prints.
@Suite("lifeboat quickstart, as a new user runs it", .serialized)
struct QuickstartTests {
    @Test("quickstart backs up the simulated tenant, serves the API, and every command it prints succeeds")
    func printedCommandsSucceed() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("lifeboat-quickstart-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let dataDirectory = folder.appendingPathComponent("data").path

        let quickstart = try LifeboatProcess.launch(
            ["quickstart", "--data-dir", dataDirectory, "--sim-port", "0", "--port", "0"], in: folder)
        defer { quickstart.stop() }
        let output = try await quickstart.waitForOutput(containing: "From another terminal:", timeout: .seconds(300))
        #expect(output.contains("files added"))
        #expect(output.contains("failed 0"))

        let token = try #require(output.firstCapture(of: #/export TOKEN='([^']+)'/#))
        let commands = output.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.filter { $0.hasPrefix("curl ") }
        let passwordGrant = try #require(commands.first { $0.contains("/v6/Token") })
        let tokenAnswer = try await ShellCommand.run(passwordGrant, token: token)
        #expect(tokenAnswer.json?["access_token"] is String)

        let organizations = try await ShellCommand.run(try #require(commands.first { $0.hasSuffix("/v6/Organizations'") }), token: token)
        #expect(organizations.jsonArray?.count == 1)
        let jobs = try await ShellCommand.run(try #require(commands.first { $0.hasSuffix("/v6/Jobs'") }), token: token)
        #expect(jobs.jsonArray?.count == 1)
        let listPoints = try #require(commands.first { $0.hasSuffix("/v6/RestorePoints'") })
        #expect(try await ShellCommand.run(listPoints, token: token).jsonArray?.count == 1)
        let byJob = try await ShellCommand.run(try #require(commands.first { $0.contains("/v6/RestorePoints?jobId=") }), token: token)
        #expect(byJob.jsonArray?.count == 1)

        let edit = try await ShellCommand.run(try #require(commands.first { $0.contains("-X PATCH") }), token: token)
        #expect(edit.json?["id"] is String)
        _ = try await ShellCommand.run(try #require(commands.first { $0.contains("/start'") }), token: token)
        var points = 0
        for _ in 0..<120 where points < 2 {
            try await Task.sleep(for: .milliseconds(500))
            points = try await ShellCommand.run(listPoints, token: token).jsonArray?.count ?? 0
        }
        #expect(points == 2, "the job started through the API committed a second restore point")

        let listed = try await LifeboatProcess.runToEnd(["restore-points", "list", "--data-dir", dataDirectory], in: folder)
        #expect(listed.contains("2 restore points"))

        let status = try await quickstart.interruptAndWait(timeout: .seconds(30))
        #expect(status == 0, "Ctrl-C stops quickstart cleanly")
    }

    @Test("a second quickstart on the same folder backs up incrementally: nothing unchanged is downloaded again")
    func secondRunIsIncremental() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("lifeboat-quickstart-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let arguments = ["quickstart", "--exit-after-backup", "--sim-port", "18581"]
        let first = try await LifeboatProcess.runToEnd(arguments, in: folder)
        #expect(first.contains("failed 0"))
        let second = try await LifeboatProcess.runToEnd(arguments, in: folder)
        #expect(second.contains("files added 0, changed 0"))
        #expect(second.contains("renamed/moved 0, deleted 0"))
        #expect(second.contains("downloaded Zero KB"))
    }
}

extension String {
    /// The first capture group of `regex` in the string.
    func firstCapture(of regex: Regex<(Substring, Substring)>) -> String? {
        firstMatch(of: regex).map { String($0.output.1) }
    }
}
