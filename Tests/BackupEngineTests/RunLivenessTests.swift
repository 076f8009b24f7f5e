import BackupEngine
import Foundation
import LifeboatModel
import Testing

/// Whether a run's owner still works on it, decided from its lease and, for owners on this host, the process table.
@Suite("Run liveness")
struct RunLivenessTests {
    /// A host whose processes the test decides.
    struct Processes: ProcessTable {
        var hostname = "node-a"
        var bootID: String? = "boot-1"
        var pidNamespace: UInt64? = 4_026_531_836
        /// Start times of the processes that run, by pid.
        var running: [Int32: UInt64] = [100: 5_000]

        func startTime(of pid: Int32) -> UInt64? { running[pid] }
    }

    static let now = Date(timeIntervalSince1970: 1_800_000_000)

    /// An owner and whether a run it holds with a lease ending at `now + leaseLeft` seconds is abandoned.
    struct Case: Sendable, CustomTestStringConvertible {
        var label: String
        var owner: RunOwner?
        var leaseLeft: TimeInterval = 30
        var abandoned: Bool
        var testDescription: String { label }
    }

    static let cases: [Case] = [
        Case(label: "a live process of this host, lease valid",
             owner: RunOwner(host: "node-a", pid: 100, bootID: "boot-1", pidNamespace: 4_026_531_836, startTime: 5_000), abandoned: false),
        Case(label: "a live process of this host, lease lapsed",
             owner: RunOwner(host: "node-a", pid: 100, bootID: "boot-1", pidNamespace: 4_026_531_836, startTime: 5_000),
             leaseLeft: -1, abandoned: true),
        Case(label: "a lease ending exactly now",
             owner: RunOwner(host: "node-b", pid: 100), leaseLeft: 0, abandoned: true),
        Case(label: "a process of this host that is gone, lease valid",
             owner: RunOwner(host: "node-a", pid: 200, bootID: "boot-1", pidNamespace: 4_026_531_836, startTime: 5_000), abandoned: true),
        Case(label: "its pid reused by a later process, lease valid",
             owner: RunOwner(host: "node-a", pid: 100, bootID: "boot-1", pidNamespace: 4_026_531_836, startTime: 4_000), abandoned: true),
        Case(label: "another host, its pid unknown here, lease valid",
             owner: RunOwner(host: "node-b", pid: 200, bootID: "boot-9", pidNamespace: 4_026_531_836, startTime: 1), abandoned: false),
        Case(label: "this host name in another container (pid namespace), lease valid",
             owner: RunOwner(host: "node-a", pid: 200, bootID: "boot-1", pidNamespace: 1, startTime: 1), abandoned: false),
        Case(label: "this host name before a reboot, lease valid",
             owner: RunOwner(host: "node-a", pid: 200, bootID: "boot-0", pidNamespace: 4_026_531_836, startTime: 1), abandoned: false),
        Case(label: "no owner recorded", owner: nil, abandoned: true),
    ]

    @Test("a run is abandoned when its lease lapsed or its process of this host is gone, and only then", arguments: cases)
    func abandonment(_ test: Case) {
        let run = JobRun(
            externalID: "IB1", jobID: UUID(), organizationID: UUID(), kind: .backup, state: .running,
            lease: test.owner.map { RunLease(owner: $0, expiresAt: Self.now.addingTimeInterval(test.leaseLeft)) })
        let reason = RunLiveness(processes: Processes()).abandonment(of: run, now: Self.now)
        #expect((reason != nil) == test.abandoned, "\(reason ?? "alive")")
    }
}
