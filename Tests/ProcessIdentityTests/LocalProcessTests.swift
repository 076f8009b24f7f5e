#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import ProcessIdentity
import Foundation
import Testing

@Suite("LocalProcess tells a running process from one that ended")
struct LocalProcessTests {
    @Test("a killed child its parent has not reaped yet (a zombie) no longer counts as running", .enabled(if: FileManager.default.fileExists(atPath: "/proc/self/stat")))
    func zombieIsNotRunning() async throws {
        var pid: pid_t = 0
        let arguments = ["/bin/sleep", "60"]
        var argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        #expect(posix_spawn(&pid, "/bin/sleep", nil, nil, &argv, environ) == 0)
        #expect(LocalProcess.exists(pid))
        let started = try #require(LocalProcess.startTime(of: pid))
        #expect(started > 0)

        kill(pid, SIGKILL)
        // Not reaped: /proc still lists the process, in state Z, until waitpid.
        var state = ""
        for _ in 0..<200 {
            let stat = (try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)) ?? ""
            state = stat.split(separator: ")").last.map { String($0.split(separator: " ").first ?? "") } ?? ""
            if state == "Z" { break }
            try await Task.sleep(for: .milliseconds(10))
        }
        #expect(state == "Z")
        #expect(!LocalProcess.exists(pid))
        #expect(LocalProcess.startTime(of: pid) == nil)

        var status: Int32 = 0
        _ = waitpid(pid, &status, 0)
        #expect(!LocalProcess.exists(pid))
    }
}
