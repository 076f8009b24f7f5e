import Foundation
import LifeboatTestSupport
import Testing

/// `--help` as a terminal shows it: the parser wraps paragraphs to the terminal's width, so the source must not.
@Suite("lifeboat --help")
struct HelpTextTests {
    static let commands: [[String]] = [
        [], ["quickstart"], ["serve"], ["sim"], ["backup", "run"], ["restore-points", "list"], ["organization", "add"],
        ["organization", "list"], ["organization", "edit"], ["job", "add"], ["job", "edit"], ["job", "list"], ["job", "history"], ["user", "add"], ["app", "add"], ["app", "list"],
        ["repo", "init"], ["repo", "info"], ["repo", "stats"], ["repo", "check"], ["repo", "prune"], ["repo", "unlock"],
        ["repo", "passwd"], ["repo", "catalogs"],
    ]

    @Test("no overview paragraph is broken mid-line: each line is as full as the terminal's width allows", arguments: commands)
    func overviewIsReflowed(command: [String]) async throws {
        let width = 100
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("lifeboat-help-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let help = try await ChildProcess.launch(
            ChildProcess.builtExecutable(named: "lifeboat"), command + ["--help"], in: folder,
            environment: ["COLUMNS": "\(width)", "PATH": "/usr/bin:/bin"], logsIn: folder
        ).waitForSuccess()
        let overview = help.components(separatedBy: "USAGE:").first ?? ""
        let lines = overview.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        for (line, next) in zip(lines, lines.dropFirst()) where !line.isEmpty && !next.isEmpty {
            let nextWord = next.trimmingCharacters(in: .whitespaces).prefix { $0 != " " }
            // The parser keeps lines under the width, so a line it broke could not take the next word.
            #expect(
                line.count + 1 + nextWord.count >= width,
                "'\(line)' ends early though '\(nextWord)' would fit: the source breaks the line (\(command.joined(separator: " ")))")
        }
    }
}
