import Foundation

/// The process that owns a queued or running run, as recorded with the run so that any other process can tell whether
/// that owner still works on it.
///
/// `host`, `bootID` and `pidNamespace` say where `pid` can be probed from: only a process on the same host, boot and pid
/// namespace can look `pid` up, and it compares `startTime` to tell the owner from a later process given the same pid.
public struct RunOwner: Sendable, Hashable, Codable {
    /// The owner's id, fresh for each process (or worker); renewing and claiming a lease match on it.
    public var id: UUID
    /// The host name of the owner's machine.
    public var host: String
    /// The owner's process id on that host.
    public var pid: Int32
    /// The owner machine's boot id (Linux `/proc/sys/kernel/random/boot_id`); nil where there is none.
    public var bootID: String?
    /// The inode of the owner's pid namespace (Linux `/proc/self/ns/pid`); nil where there is none.
    public var pidNamespace: UInt64?
    /// When the owner process started, in clock ticks since boot (field 22 of Linux `/proc/PID/stat`); nil where unknown.
    public var startTime: UInt64?

    /// Creates an owner record.
    public init(
        id: UUID = UUID(), host: String, pid: Int32, bootID: String? = nil, pidNamespace: UInt64? = nil, startTime: UInt64? = nil
    ) {
        self.id = id
        self.host = host
        self.pid = pid
        self.bootID = bootID
        self.pidNamespace = pidNamespace
        self.startTime = startTime
    }

    /// `pid 4242 on host "backup-1"`, for messages.
    public var summary: String { "pid \(pid) on host \"\(host)\"" }
}

/// A run's owner and how long its claim lasts without renewal: a run whose lease lapsed is abandoned, whoever owned it.
public struct RunLease: Sendable, Hashable, Codable {
    /// Who holds the run.
    public var owner: RunOwner
    /// When the claim lapses unless the owner renews it first.
    public var expiresAt: Date

    /// Creates a lease.
    public init(owner: RunOwner, expiresAt: Date) {
        self.owner = owner
        self.expiresAt = expiresAt
    }
}
