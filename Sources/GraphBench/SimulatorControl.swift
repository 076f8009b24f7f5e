import Foundation
import Logging
import M365Simulator

/// Where the benchmark's tenant is served from and how the benchmark steers it: the simulator in this process, or in a
/// child process of its own, so that Lifeboat's CPU time is measured without Graph's (as it runs in production, where
/// Graph is Microsoft's machines, not the backup server's).
protocol SimulatorControl: Sendable {
    /// How to reach and sign in to the tenant.
    var endpoints: SimulatorEndpoints { get }
    /// The tenant whose bytes the raw-ingest comparison stores: the served one, or an equal mirror of it.
    var contentTenant: SimulatedTenant { get }
    /// Forgets the requests logged so far.
    func resetLog() async throws
    /// What the requests logged since the last reset cost, and the simulator's CPU time when it has a process of its own.
    func stats() async throws -> SimulatorStats
    /// Changes the benchmark's share of files in the served tenant (and the mirror); returns them.
    func applyChanges() async throws -> [FileReference]
    /// Stops serving.
    func shutdown() async throws
}

/// The address and credentials of a served tenant.
struct SimulatorEndpoints: Codable, Sendable {
    var loginBaseURL: String
    var graphBaseURL: String
    var tenantID: String
    var clientID: String
    var clientSecret: String
    /// The tenant's drives, in order: the parent checks its mirror against them.
    var driveIDs: [String]
}

/// The Graph calls of a phase, from the simulator's request log.
struct SimulatorStats: Codable, Sendable {
    /// Graph and download requests (each request of a JSON batch counts, as does the batch).
    var calls: Int
    /// Of those, the ones answered 429, or 503 by the budget.
    var throttled: Int
    /// Resource units charged to calls that were not throttled.
    var unitsSpentOnSuccess: Int
    /// CPU time of the simulator's own process so far; nil when it shares this one.
    var cpuSeconds: Double?

    init(log: [LoggedRequest], cpuSeconds: Double?) {
        let charged = log.filter { $0.resourceUnits != nil || $0.path.hasPrefix("/v1.0/") || $0.path.hasPrefix("/download/") }
        calls = charged.count
        throttled = charged.filter { $0.status == 429 || ($0.status == 503 && $0.fault != nil) }.count
        unitsSpentOnSuccess = charged.filter { $0.status != 429 && $0.status != 503 }.reduce(0) { $0 + ($1.resourceUnits ?? 0) }
        self.cpuSeconds = cpuSeconds
    }
}

/// The simulator serving from this process.
struct InProcessSimulator: SimulatorControl {
    let simulator: RunningSimulator
    let bench: BenchTenant
    let endpoints: SimulatorEndpoints

    init(_ bench: BenchTenant, logger: Logger) async throws {
        simulator = try await RunningSimulator.start(bench.configuration, logger: logger)
        self.bench = bench
        do {
            try await bench.addLargeFiles(to: simulator.tenant)
        } catch {
            try? await simulator.shutdown()
            throw error
        }
        endpoints = await SimulatorEndpoints(serving: simulator)
    }

    var contentTenant: SimulatedTenant { simulator.tenant }
    func resetLog() async { await simulator.requestLog.reset() }
    func stats() async -> SimulatorStats { SimulatorStats(log: await simulator.requestLog.entries(), cpuSeconds: nil) }
    func applyChanges() async throws -> [FileReference] { try await bench.applyChanges(to: simulator.tenant) }
    func shutdown() async throws { try await simulator.shutdown() }
}

extension SimulatorEndpoints {
    init(serving simulator: RunningSimulator) async {
        self.init(
            loginBaseURL: simulator.loginBaseURL, graphBaseURL: simulator.graphBaseURL, tenantID: simulator.tenantID,
            clientID: simulator.clientID, clientSecret: simulator.clientSecret, driveIDs: await simulator.tenant.drives().map(\.id))
    }
}
