import Foundation

/// A command line run through `/bin/sh` exactly as printed, with `TOKEN` exported as a user would have done.
struct ShellCommand {
    /// What the command printed.
    var output: String

    /// The output as a JSON object, if it is one.
    var json: [String: Any]? { (try? JSONSerialization.jsonObject(with: Data(output.utf8))) as? [String: Any] }
    /// The output as a JSON array, if it is one.
    var jsonArray: [Any]? { (try? JSONSerialization.jsonObject(with: Data(output.utf8))) as? [Any] }

    /// Runs `line`; throws when it exits non-zero.
    static func run(_ line: String, token: String) throws -> ShellCommand {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", line]
        process.environment = ProcessInfo.processInfo.environment.merging(["TOKEN": token]) { _, new in new }
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let output = String(decoding: data, as: UTF8.self)
        guard process.terminationStatus == 0 else {
            throw LifeboatProcessError.failed(arguments: [line], status: process.terminationStatus, output: output)
        }
        return ShellCommand(output: output)
    }
}
