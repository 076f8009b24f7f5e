#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

import Foundation

/// The running process as a repository lock or a run's lease names it, and whether another process of this host still
/// runs: a leaf module, so that the chunk store and the engine share it without either owning it.
public enum LocalProcess {
    /// This boot's id (`/proc/sys/kernel/random/boot_id`, Linux), or nil where there is none.
    public static let bootID: String? = {
        guard let text = try? String(contentsOfFile: "/proc/sys/kernel/random/boot_id", encoding: .utf8) else { return nil }
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        return trimmed.isEmpty ? nil : trimmed
    }()

    /// The inode of this process's pid namespace (`/proc/self/ns/pid`, Linux), or nil where there is none.
    public static let pidNamespace: UInt64? = {
        var status = stat()
        guard stat("/proc/self/ns/pid", &status) == 0 else { return nil }
        return UInt64(status.st_ino)
    }()

    /// This machine's host name (`gethostname`), or `unknown` when it cannot be read.
    public static let hostname: String = {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count - 1) == 0 else { return "unknown" }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }()

    /// This process's id.
    public static var pid: Int32 { getpid() }

    /// Whether a process with `pid` runs on this host (signal 0 probes without signalling; EPERM means it exists). A
    /// killed process whose parent has not reaped it yet (a zombie) still answers signal 0, but runs no more: it does not
    /// count.
    public static func exists(_ pid: Int32) -> Bool {
        guard pid > 0 else { return false }
        guard kill(pid, 0) == 0 || errno == EPERM else { return false }
        return statFields(of: pid).map { !isEnded($0) } ?? true
    }

    /// When process `pid` of this host started, in clock ticks since boot (field 22 of `/proc/PID/stat`, Linux); nil when
    /// there is no such process running (none, or one that ended and waits to be reaped) or no `/proc`. A pid reused by
    /// a later process gives another start time.
    ///
    /// Reads `/proc`, which the kernel answers from memory: it never waits on a disk, so it is safe on any thread.
    public static func startTime(of pid: Int32) -> UInt64? {
        guard let fields = statFields(of: pid), !isEnded(fields), fields.count > 19 else { return nil }
        return UInt64(fields[19])
    }

    /// The fields of `/proc/PID/stat` from field 3 (the state) on; nil when there is no such process or no `/proc`.
    private static func statFields(of pid: Int32) -> [Substring]? {
        guard pid > 0, let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let commandEnd = stat.lastIndex(of: ")")
        else { return nil }
        // The command name (field 2) may hold spaces and parentheses; the fields after its closing one start at field 3.
        return stat[stat.index(after: commandEnd)...].split(separator: " ")
    }

    /// Whether a process in this state has ended: `Z` (a zombie, killed or exited and not yet reaped) or `X` (dead).
    private static func isEnded(_ fields: [Substring]) -> Bool {
        fields.first == "Z" || fields.first == "X"
    }
}
