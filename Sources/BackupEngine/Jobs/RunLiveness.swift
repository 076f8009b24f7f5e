import Foundation
import LifeboatModel
import ProcessIdentity

/// The processes of this machine as far as a run's liveness needs them: where this process runs, and when another
/// process of this host started.
public protocol ProcessTable: Sendable {
    /// This machine's host name.
    var hostname: String { get }
    /// This boot's id; nil where there is none.
    var bootID: String? { get }
    /// The inode of this process's pid namespace; nil where there is none.
    var pidNamespace: UInt64? { get }
    /// When process `pid` of this host started (clock ticks since boot); nil when there is no such process.
    func startTime(of pid: Int32) -> UInt64?
}

/// The real process table of this machine (Linux `/proc`).
public struct LocalProcessTable: ProcessTable {
    /// Creates the table.
    public init() {}

    public var hostname: String { LocalProcess.hostname }
    public var bootID: String? { LocalProcess.bootID }
    public var pidNamespace: UInt64? { LocalProcess.pidNamespace }
    public func startTime(of pid: Int32) -> UInt64? { LocalProcess.startTime(of: pid) }
}

extension RunOwner {
    /// This process as the owner of runs, under a fresh owner id.
    public static func currentProcess(in processes: any ProcessTable = LocalProcessTable()) -> RunOwner {
        let pid = LocalProcess.pid
        return RunOwner(
            host: processes.hostname, pid: pid, bootID: processes.bootID, pidNamespace: processes.pidNamespace,
            startTime: processes.startTime(of: pid))
    }
}

/// Tells whether a queued or running run still has an owner working on it.
///
/// A run is abandoned when it has no owner, when its lease lapsed (its owner stopped renewing: killed, hung, its
/// machine gone, or unable to write the catalog), or at once when its owner is a process of this host that no longer
/// runs (gone, or its pid now names a process that started at another time). An owner on another host, boot or pid
/// namespace cannot be looked up from here: its lease alone decides.
public struct RunLiveness: Sendable {
    private let processes: any ProcessTable

    /// Creates the check over a process table (this machine's by default; tests pass their own).
    public init(processes: any ProcessTable = LocalProcessTable()) {
        self.processes = processes
    }

    /// Why the run is abandoned at `now`, in words for its error log; nil while its owner works on it.
    public func abandonment(of run: JobRun, now: Date) -> String? {
        guard let lease = run.lease else { return "it has no owner (it was started by an earlier version of Lifeboat)" }
        let owner = lease.owner
        if lease.expiresAt <= now {
            return "its owner (\(owner.summary)) stopped renewing its lease, which lapsed at \(lease.expiresAt.formatted(.iso8601))"
        }
        guard owner.host == processes.hostname, let bootID = owner.bootID, bootID == processes.bootID,
            let namespace = owner.pidNamespace, namespace == processes.pidNamespace
        else { return nil }
        guard let started = processes.startTime(of: owner.pid) else { return "its owner (\(owner.summary)) is no longer running" }
        if let recorded = owner.startTime, recorded != started {
            return "its owner (\(owner.summary)) is no longer running; that pid now names another process"
        }
        return nil
    }
}
