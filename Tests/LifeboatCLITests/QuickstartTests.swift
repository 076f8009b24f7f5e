import Foundation
import LifeboatTestSupport
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
        let output = try await quickstart.waitForOutput(timeout: .seconds(300)) { $0.contains("From another terminal:") }
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

        try await followRestoreSteps(commands, output: output, token: token, in: folder)

        // The printed command starts Lifeboat the way this test did (its path), not with `swift run`.
        let listPrinted = try #require(
            output.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.first { $0.contains(" restore-points list ") })
        #expect(listPrinted.hasPrefix(try ChildProcess.builtExecutable(named: "lifeboat").path))
        let listed = try await ShellCommand.run(listPrinted, token: token, in: folder).output
        #expect(listed.contains("2 restore points"))

        let ended = try await quickstart.signalAndWait(SIGINT, timeout: .seconds(30))
        #expect(!ended.killedBySignal && ended.status == 0, "Ctrl-C stops quickstart cleanly")
    }

    /// The printed restore examples: delete the sample file, explore, restore it in place (Veeam v3), download the
    /// OneDrive as a zip, then restore it through the AvePoint dialect with the quickstart's application.
    private func followRestoreSteps(_ commands: [String], output: String, token: String, in folder: URL) async throws {
        let sample = try #require(output.firstCapture(of: #/delete '([^']+)' in the tenant/#))
        _ = try await ShellCommand.run(try #require(commands.first { $0.contains("-X DELETE") }), token: token)
        let explored = try await ShellCommand.run(try #require(commands.first { $0.contains("/explore'") }), token: token)
        let session = try #require(explored.json?["id"] as? String)
        let environment = ["SESSION": session]
        let oneDrives = try await ShellCommand.run(
            try #require(commands.first { $0.hasSuffix("/Organization/OneDrives\"") }), token: token, environment: environment)
        #expect((oneDrives.json?["results"] as? [Any])?.isEmpty == false)
        let actions = commands.filter { $0.contains("/OneDrives/Action") }
        let restore = try await ShellCommand.run(
            try #require(actions.first { $0.contains("restoreToOriginalLocation") }), token: token, environment: environment)
        #expect(restore.output.isEmpty, "the restore action answers 200 with no body: \(restore.output)")
        let events = try await ShellCommand.run(
            try #require(commands.first { $0.contains("/Events") }), token: token, environment: environment)
        let restored = (events.json?["results"] as? [[String: Any]] ?? []).filter {
            $0["itemName"] as? String == sample && $0["status"] as? String == "Success"
        }
        #expect(restored.count == 1, "the deleted sample file was restored: \(events.output.prefix(500))")
        _ = try await ShellCommand.run(
            try #require(actions.first { $0.contains("\"save\"") }), token: token, environment: environment, in: folder)
        let zip = try Data(contentsOf: folder.appendingPathComponent("onedrive.zip"))
        #expect(zip.starts(with: [0x50, 0x4B, 0x03, 0x04]), "a zip archive was downloaded")
        #expect(zip.count > 1000)

        let granted = try await ShellCommand.run(try #require(commands.first { $0.contains("/connect/token") }), token: token)
        let appToken = try #require(granted.json?["access_token"] as? String)
        let submitted = try await ShellCommand.run(
            try #require(commands.first { $0.contains("/backup/m365/restore/jobs") }), token: token,
            environment: ["APP_TOKEN": appToken])
        let restoreJob = try #require((submitted.json?["data"] as? [String: Any])?["jobId"] as? String)
        let details = try #require(commands.first { $0.contains("/cloudbackupjobs/") })
        var state = "In Progress"
        var job: [String: Any] = [:]
        for _ in 0..<100 where state == "In Progress" {
            try await Task.sleep(for: .milliseconds(200))
            let answer = try await ShellCommand.run(
                details, token: token, environment: ["APP_TOKEN": appToken, "RESTORE_JOB": restoreJob])
            job = answer.json?["data"] as? [String: Any] ?? [:]
            state = job["state"] as? String ?? "In Progress"
        }
        #expect(state == "Finished")
        #expect((job["backupDetails"] as? [String: Any])?["totalNumber"] as? Int == 1)
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
        #expect(second.contains("downloaded 0 bytes, new data 0 bytes"), "sizes are numbers, never 'Zero KB'")
    }
}

extension String {
    /// The first capture group of `regex` in the string.
    func firstCapture(of regex: Regex<(Substring, Substring)>) -> String? {
        firstMatch(of: regex).map { String($0.output.1) }
    }
}
