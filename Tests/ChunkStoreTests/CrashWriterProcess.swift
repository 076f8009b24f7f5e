import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The built `RepositoryCrashWriter` run as a child process, its standard output and error captured in files.
///
/// Waiting is by polling with `Task.sleep`, never by blocking a thread: tests share a small cooperative pool.
final class CrashWriterProcess: Sendable {
    private let process: Process
    private let outputFile: URL
    private let errorFile: URL

    private init(process: Process, outputFile: URL, errorFile: URL) {
        self.process = process
        self.outputFile = outputFile
        self.errorFile = errorFile
    }

    /// The executable next to the test bundle in the build folder (`swift build` builds it with the tests).
    static var executable: URL {
        get throws {
            let buildFolder = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
            let candidate = buildFolder.appendingPathComponent("RepositoryCrashWriter")
            guard FileManager.default.isExecutableFile(atPath: candidate.path) else {
                throw CrashWriterProcessError.executableMissing(candidate.path)
            }
            return candidate
        }
    }

    /// Starts the writer with `arguments`, its output going to fresh files in `folder`.
    static func launch(_ arguments: [String], logsIn folder: URL) throws -> CrashWriterProcess {
        let process = Process()
        process.executableURL = try executable
        process.arguments = arguments
        let name = UUID().uuidString
        let outputFile = folder.appendingPathComponent("writer-\(name).out")
        let errorFile = folder.appendingPathComponent("writer-\(name).err")
        _ = FileManager.default.createFile(atPath: outputFile.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errorFile.path, contents: nil)
        process.standardOutput = try FileHandle(forWritingTo: outputFile)
        process.standardError = try FileHandle(forWritingTo: errorFile)
        try process.run()
        return CrashWriterProcess(process: process, outputFile: outputFile, errorFile: errorFile)
    }

    /// Standard output so far.
    var output: String { (try? String(contentsOf: outputFile, encoding: .utf8)) ?? "" }

    /// Standard error so far (the repository's debug log).
    var log: String { (try? String(contentsOf: errorFile, encoding: .utf8)) ?? "" }

    /// Whether the writer still runs.
    var isRunning: Bool { process.isRunning }

    /// Polls until standard output has `count` lines satisfying `isWanted`; throws if the writer exits first.
    func waitForLines(count: Int = 1, timeout: Duration = .seconds(60), where isWanted: (Substring) -> Bool) async throws {
        let deadline = ContinuousClock.now + timeout
        while output.split(separator: "\n").count(where: isWanted) < count {
            guard process.isRunning else { throw CrashWriterProcessError.exited(status: process.terminationStatus, log: log) }
            guard ContinuousClock.now < deadline else { throw CrashWriterProcessError.timedOut(output: output) }
            try await Task.sleep(for: .milliseconds(5))
        }
    }

    /// Sends SIGKILL and polls until the process is gone; throws if it had already exited on its own.
    func killAndWait() async throws {
        guard process.isRunning else { throw CrashWriterProcessError.exited(status: process.terminationStatus, log: log) }
        kill(process.processIdentifier, SIGKILL)
        while process.isRunning {
            try await Task.sleep(for: .milliseconds(5))
        }
        guard process.terminationReason == .uncaughtSignal, process.terminationStatus == SIGKILL else {
            throw CrashWriterProcessError.exited(status: process.terminationStatus, log: log)
        }
    }
}

/// Why running the crash writer failed.
enum CrashWriterProcessError: Error, CustomStringConvertible {
    case executableMissing(String)
    case exited(status: Int32, log: String)
    case timedOut(output: String)

    var description: String {
        switch self {
        case .executableMissing(let path): "RepositoryCrashWriter was not built at \(path); run `swift build` first."
        case .exited(let status, let log): "RepositoryCrashWriter exited on its own (status \(status)):\n\(log.suffix(4000))"
        case .timedOut(let output): "RepositoryCrashWriter did not get there in time; output so far:\n\(output)"
        }
    }
}
