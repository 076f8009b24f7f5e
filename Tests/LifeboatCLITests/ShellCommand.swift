import Foundation
import LifeboatTestSupport

/// A command line run through `/bin/sh` exactly as printed, with `TOKEN` (and any other variable the printed
/// instructions ask for) exported as a user would have done.
struct ShellCommand {
    /// What the command printed.
    var output: String

    /// The output as a JSON object, if it is one.
    var json: [String: Any]? { (try? JSONSerialization.jsonObject(with: Data(output.utf8))) as? [String: Any] }
    /// The output as a JSON array, if it is one.
    var jsonArray: [Any]? { (try? JSONSerialization.jsonObject(with: Data(output.utf8))) as? [Any] }

    /// Runs `line`; throws `ChildProcessError` when it exits non-zero.
    static func run(
        _ line: String, token: String, environment: [String: String] = [:], in directory: URL? = nil
    ) async throws -> ShellCommand {
        let logs = FileManager.default.temporaryDirectory.appendingPathComponent("lifeboat-shell-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: logs, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: logs) }
        let shell = try ChildProcess.launch(
            URL(fileURLWithPath: "/bin/sh"), ["-c", line], in: directory,
            environment: ProcessInfo.processInfo.environment.merging(environment.merging(["TOKEN": token]) { _, new in new }) { _, new in new },
            logsIn: logs)
        return ShellCommand(output: try await shell.waitForSuccess())
    }
}
