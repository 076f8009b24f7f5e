import Foundation
import LifeboatTestSupport

/// The built `lifeboat` executable run as a user would run it from a folder, with no `LIFEBOAT_*` variables inherited.
enum LifeboatProcess {
    /// Starts `lifeboat` with `arguments` in `folder` (its output captured in files there); `environment` adds variables.
    static func launch(_ arguments: [String], in folder: URL, environment: [String: String] = [:]) throws -> ChildProcess {
        try ChildProcess.launch(
            ChildProcess.builtExecutable(named: "lifeboat"), arguments, in: folder,
            environment: ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("LIFEBOAT_") }.merging(environment) { _, new in new },
            logsIn: folder)
    }

    /// Runs `lifeboat` to its end and returns its standard output; throws `ChildProcessError` when it exits non-zero.
    static func runToEnd(_ arguments: [String], in folder: URL, environment: [String: String] = [:]) async throws -> String {
        try await launch(arguments, in: folder, environment: environment).waitForSuccess()
    }
}
