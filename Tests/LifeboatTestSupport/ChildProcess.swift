import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A program run as a child process, its standard output and standard error captured in files: an executable of this
/// package (`builtExecutable(named:)`) or any other.
///
/// Waiting is by polling with `Task.sleep`, never by blocking a thread: tests share a small cooperative pool.
public final class ChildProcess: Sendable {
    /// What was run, for messages.
    public let commandLine: String
    private let process: Process
    private let outputFile: URL
    private let errorFile: URL

    private init(process: Process, commandLine: String, outputFile: URL, errorFile: URL) {
        self.process = process
        self.commandLine = commandLine
        self.outputFile = outputFile
        self.errorFile = errorFile
    }

    /// The executable `name` of this package, next to the test bundle in the build folder (`swift build --build-tests`
    /// builds every executable with the tests).
    public static func builtExecutable(named name: String) throws -> URL {
        let buildFolder = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        let candidate = buildFolder.appendingPathComponent(name)
        guard FileManager.default.isExecutableFile(atPath: candidate.path) else { throw ChildProcessError.executableMissing(candidate.path) }
        return candidate
    }

    /// Starts `executable` with `arguments`, its output going to fresh files in `logFolder`.
    /// - Parameters:
    ///   - directory: its working directory; this process's when nil.
    ///   - environment: its whole environment; this process's when nil.
    public static func launch(
        _ executable: URL, _ arguments: [String], in directory: URL? = nil, environment: [String: String]? = nil, logsIn logFolder: URL
    ) throws -> ChildProcess {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = directory }
        if let environment { process.environment = environment }
        let name = "\(executable.lastPathComponent)-\(UUID().uuidString)"
        let outputFile = logFolder.appendingPathComponent("\(name).out")
        let errorFile = logFolder.appendingPathComponent("\(name).err")
        _ = FileManager.default.createFile(atPath: outputFile.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errorFile.path, contents: nil)
        process.standardOutput = try FileHandle(forWritingTo: outputFile)
        process.standardError = try FileHandle(forWritingTo: errorFile)
        try process.run()
        let commandLine = ([executable.lastPathComponent] + arguments).joined(separator: " ")
        return ChildProcess(process: process, commandLine: commandLine, outputFile: outputFile, errorFile: errorFile)
    }

    /// Standard output so far.
    public var output: String { (try? String(contentsOf: outputFile, encoding: .utf8)) ?? "" }

    /// Standard error so far.
    public var errorOutput: String { (try? String(contentsOf: errorFile, encoding: .utf8)) ?? "" }

    /// Whether the process still runs.
    public var isRunning: Bool { process.isRunning }

    /// The process's id.
    public var pid: Int32 { process.processIdentifier }

    /// Polls until `isReady` holds for the standard output so far and returns that output; throws if the process exits
    /// or `timeout` passes first.
    public func waitForOutput(timeout: Duration, pollingEvery interval: Duration = .milliseconds(20), until isReady: (String) -> Bool) async throws -> String {
        let deadline = ContinuousClock.now + timeout
        while true {
            let running = process.isRunning
            // Read after the check: output a process wrote just before it exited still counts.
            let text = output
            if isReady(text) { return text }
            guard running else { throw ChildProcessError.exited(commandLine, status: process.terminationStatus, output: text, errorOutput: errorOutput) }
            guard ContinuousClock.now < deadline else { throw ChildProcessError.timedOut(commandLine, output: text) }
            try await Task.sleep(for: interval)
        }
    }

    /// Polls until the process ends, then returns its standard output; throws when it exits non-zero or `timeout` passes.
    public func waitForSuccess(timeout: Duration = .seconds(600)) async throws -> String {
        try await waitForExit(timeout: timeout)
        guard process.terminationReason == .exit, process.terminationStatus == 0 else {
            throw ChildProcessError.exited(commandLine, status: process.terminationStatus, output: output, errorOutput: errorOutput)
        }
        return output
    }

    /// Sends `signal` and polls until the process ends; returns whether it ended by that signal (`true`) or exited on
    /// its own, and its status. Throws if it had already exited, or does not end within `timeout`.
    @discardableResult
    public func signalAndWait(_ signal: Int32, timeout: Duration = .seconds(30)) async throws -> (killedBySignal: Bool, status: Int32) {
        guard process.isRunning else {
            throw ChildProcessError.exited(commandLine, status: process.terminationStatus, output: output, errorOutput: errorOutput)
        }
        kill(process.processIdentifier, signal)
        try await waitForExit(timeout: timeout)
        return (process.terminationReason == .uncaughtSignal, process.terminationStatus)
    }

    /// Polls until the process ends, however it ends; returns whether a signal ended it and its status (the exit code,
    /// or the signal's number). Throws when `timeout` passes first.
    public func waitForTermination(timeout: Duration = .seconds(600)) async throws -> (killedBySignal: Bool, status: Int32) {
        try await waitForExit(timeout: timeout)
        return (process.terminationReason == .uncaughtSignal, process.terminationStatus)
    }

    /// Kills the process if it still runs.
    public func stop() {
        if process.isRunning { process.terminate() }
    }

    private func waitForExit(timeout: Duration) async throws {
        let deadline = ContinuousClock.now + timeout
        while process.isRunning {
            guard ContinuousClock.now < deadline else {
                stop()
                throw ChildProcessError.timedOut(commandLine, output: output)
            }
            try await Task.sleep(for: .milliseconds(5))
        }
    }
}

/// Why running a child process failed.
public enum ChildProcessError: Error, CustomStringConvertible {
    /// The executable was not built where the tests look for it.
    case executableMissing(String)
    /// The process exited (or was killed) when the test did not expect it.
    case exited(String, status: Int32, output: String, errorOutput: String)
    /// What the test waited for did not happen in time.
    case timedOut(String, output: String)

    public var description: String {
        switch self {
        case .executableMissing(let path): "\(path) was not built; run `swift build --build-tests` first."
        case .exited(let command, let status, let output, let errorOutput):
            "\(command) exited with status \(status):\n\(output.suffix(4000))\n\(errorOutput.suffix(4000))"
        case .timedOut(let command, let output): "\(command) did not get there in time; output so far:\n\(output.suffix(4000))"
        }
    }
}
