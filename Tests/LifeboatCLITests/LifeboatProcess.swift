import Foundation

/// The built `lifeboat` executable run as a child process, with its standard output captured in a file.
final class LifeboatProcess: Sendable {
    private let process: Process
    private let outputFile: URL

    private init(process: Process, outputFile: URL) {
        self.process = process
        self.outputFile = outputFile
    }

    /// The executable next to the test bundle in the build folder.
    static var executable: URL {
        get throws {
            let buildFolder = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
            let candidate = buildFolder.appendingPathComponent("lifeboat")
            guard FileManager.default.isExecutableFile(atPath: candidate.path) else {
                throw LifeboatProcessError.executableMissing(candidate.path)
            }
            return candidate
        }
    }

    /// Starts `lifeboat` with `arguments` in `folder`, with no `LIFEBOAT_*` variables inherited.
    static func launch(_ arguments: [String], in folder: URL) throws -> LifeboatProcess {
        let process = Process()
        process.executableURL = try executable
        process.arguments = arguments
        process.currentDirectoryURL = folder
        process.environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("LIFEBOAT_") }
        let outputFile = folder.appendingPathComponent("stdout-\(UUID().uuidString).txt")
        FileManager.default.createFile(atPath: outputFile.path, contents: nil)
        process.standardOutput = try FileHandle(forWritingTo: outputFile)
        process.standardError = try FileHandle(forWritingTo: outputFile.appendingPathExtension("stderr").creatingEmptyFile())
        try process.run()
        return LifeboatProcess(process: process, outputFile: outputFile)
    }

    /// Runs `lifeboat` to its end and returns its standard output; throws when it exits non-zero.
    ///
    /// Waits by polling, never by blocking a thread: tests share a small cooperative thread pool.
    static func runToEnd(_ arguments: [String], in folder: URL) async throws -> String {
        let child = try launch(arguments, in: folder)
        while child.process.isRunning {
            try await Task.sleep(for: .milliseconds(100))
        }
        let output = child.output
        guard child.process.terminationStatus == 0 else {
            throw LifeboatProcessError.failed(arguments: arguments, status: child.process.terminationStatus, output: output)
        }
        return output
    }

    /// Standard output so far.
    var output: String {
        (try? String(contentsOf: outputFile, encoding: .utf8)) ?? ""
    }

    /// Waits until the output contains `marker`; throws if the process exits or the time runs out first.
    func waitForOutput(containing marker: String, timeout: Duration) async throws -> String {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            let text = output
            if text.contains(marker) { return text }
            guard process.isRunning else {
                throw LifeboatProcessError.failed(arguments: process.arguments ?? [], status: process.terminationStatus, output: text)
            }
            try await Task.sleep(for: .milliseconds(200))
        }
        throw LifeboatProcessError.timedOut(waitingFor: marker, output: output)
    }

    /// Sends SIGINT (Ctrl-C) and returns the exit status once the process ends.
    func interruptAndWait(timeout: Duration) async throws -> Int32 {
        process.interrupt()
        let deadline = ContinuousClock.now + timeout
        while process.isRunning {
            guard ContinuousClock.now < deadline else { throw LifeboatProcessError.timedOut(waitingFor: "exit after SIGINT", output: output) }
            try await Task.sleep(for: .milliseconds(100))
        }
        return process.terminationStatus
    }

    /// Kills the process if it still runs.
    func stop() {
        if process.isRunning { process.terminate() }
    }
}

/// Why running the executable failed.
enum LifeboatProcessError: Error, CustomStringConvertible {
    case executableMissing(String)
    case failed(arguments: [String], status: Int32, output: String)
    case timedOut(waitingFor: String, output: String)

    var description: String {
        switch self {
        case .executableMissing(let path): "The lifeboat executable was not built at \(path)."
        case .failed(let arguments, let status, let output): "lifeboat \(arguments.joined(separator: " ")) exited \(status):\n\(output)"
        case .timedOut(let marker, let output): "Timed out waiting for '\(marker)'; output so far:\n\(output)"
        }
    }
}

extension URL {
    /// Creates an empty file at this URL and returns the URL.
    fileprivate func creatingEmptyFile() -> URL {
        FileManager.default.createFile(atPath: path, contents: nil)
        return self
    }
}
