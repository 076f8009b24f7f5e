import Foundation

/// A command line run through `/bin/sh` exactly as printed, with `TOKEN` (and any other variable the printed
/// instructions ask for) exported as a user would have done.
struct ShellCommand {
    /// What the command printed.
    var output: String

    /// The output as a JSON object, if it is one.
    var json: [String: Any]? { (try? JSONSerialization.jsonObject(with: Data(output.utf8))) as? [String: Any] }
    /// The output as a JSON array, if it is one.
    var jsonArray: [Any]? { (try? JSONSerialization.jsonObject(with: Data(output.utf8))) as? [Any] }

    /// Runs `line`; throws when it exits non-zero. Waits by polling, never by blocking a thread of the shared pool.
    static func run(
        _ line: String, token: String, environment: [String: String] = [:], in directory: URL? = nil
    ) async throws -> ShellCommand {
        let outputFile = FileManager.default.temporaryDirectory.appendingPathComponent("lifeboat-shell-\(UUID().uuidString)")
        _ = FileManager.default.createFile(atPath: outputFile.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: outputFile) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", line]
        process.environment = ProcessInfo.processInfo.environment.merging(environment.merging(["TOKEN": token]) { _, new in new }) {
            _, new in new
        }
        if let directory { process.currentDirectoryURL = directory }
        process.standardOutput = try FileHandle(forWritingTo: outputFile)
        try process.run()
        while process.isRunning {
            try await Task.sleep(for: .milliseconds(20))
        }
        let output = (try? String(contentsOf: outputFile, encoding: .utf8)) ?? ""
        guard process.terminationStatus == 0 else {
            throw LifeboatProcessError.failed(arguments: [line], status: process.terminationStatus, output: output)
        }
        return ShellCommand(output: output)
    }
}
