import Foundation

/// Programs on PATH that tests check their output with (Python's zipfile, Info-ZIP's unzip), run without blocking a
/// thread of the shared pool.
public enum ExternalTool {
    /// `python3`, if installed.
    public static let python3 = find("python3")
    /// Info-ZIP `unzip`, if installed.
    public static let unzip = find("unzip")

    /// The executable named `name` on PATH.
    public static func find(_ name: String) -> URL? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        return path.split(separator: ":")
            .map { URL(fileURLWithPath: String($0)).appendingPathComponent(name) }
            .first { FileManager.default.isExecutableFile(atPath: $0.path) }
    }

    /// Runs `tool` to its end in `directory`: output and errors go to a file there, and the exit is polled.
    public static func run(_ tool: URL, _ arguments: [String], in directory: URL) async throws -> (status: Int32, output: String) {
        let log = directory.appendingPathComponent("tool-\(UUID().uuidString).log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: log) }
        let output = try FileHandle(forWritingTo: log)
        defer { try? output.close() }
        let process = Process()
        process.executableURL = tool
        process.arguments = arguments
        process.currentDirectoryURL = directory
        process.standardOutput = output
        process.standardError = output
        try process.run()
        while process.isRunning { try await Task.sleep(for: .milliseconds(20)) }
        return (process.terminationStatus, try String(contentsOf: log, encoding: .utf8))
    }
}
