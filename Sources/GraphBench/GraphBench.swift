import ArgumentParser
import AsyncHTTPClient
import BackupEngine
import BoundedConcurrency
import Catalog
import ChunkStore
import Crypto
import Foundation
import LifeboatModel
import Logging
import M365Graph
import M365Simulator
import NIOCore

/// `GraphBench` (driven by `bench/graph/run.sh`): a full and an incremental backup of a simulated
/// tenant through the whole pipeline (Graph client, catalog, repository), measured against storing the same bytes
/// straight into a repository, and, under a resource-unit budget, how much of the budget the backup turned into work.
///
/// Prints one JSON line per phase.
@main
struct GraphBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "GraphBench", abstract: "Benchmark backups of a simulated tenant (bench/graph).")

    enum Shape: String, ExpressibleByArgument {
        /// Generated drives of mostly small files (the simulator's size mix, one version each).
        case small
        /// One drive of `--files` files of `--file-size` random bytes each.
        case large
    }

    @Option(help: "Where the catalog and repositories go (emptied first).") var work: String
    @Option(help: "small or large.") var shape: Shape = .small
    @Option(help: "Drives (small shape).") var drives: Int = 4
    @Option(help: "Files per drive (small) or in all (large).") var files: Int = 500
    @Option(help: "Bytes per file (large shape).") var fileSize: Int = 8 << 20
    @Option(help: "Share of files changed before the incremental backup.") var changedShare: Double = 0.05
    @Option(help: "Graph budget in resource units per minute; 0 for none.") var budget: Int = 0
    @Option(help: "Seconds of the budget's sliding window (the client paces to the same window).") var window: Int = 60
    @Option(help: "Delay before every read's first byte, in milliseconds (the latency of a real tenant).") var latencyMs: Int = 0
    @Option(help: "Ceiling of the tenant's adaptive concurrency and of parallel downloads.") var concurrency: Int = 16
    @Option(help: "Seed of the tenant.") var seed: UInt64 = 7
    @Flag(help: "Serve the simulator from a child process, so that Lifeboat's CPU time is measured apart from Graph's.")
    var simulatorProcess = false
    @Flag(help: .hidden) var serveSimulator = false

    private var bench: BenchTenant {
        BenchTenant(
            shape: shape, drives: drives, files: files, fileSize: fileSize, changedShare: changedShare, budget: budget,
            window: window, latencyMs: latencyMs, seed: seed)
    }

    func run() async throws {
        var logger = Logger(label: "lifeboat.bench.graph")
        logger.logLevel = .error
        if serveSimulator { return try await SimulatorProcess.serve(bench, logger: logger) }
        let directory = URL(fileURLWithPath: work)
        try? FileManager.default.removeItem(at: directory)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)

        let simulator: any SimulatorControl =
            simulatorProcess
            ? try await SimulatorProcess(bench, arguments: Array(CommandLine.arguments.dropFirst()))
            : try await InProcessSimulator(bench, logger: logger)
        let catalog: SQLCatalog
        do {
            catalog = try await SQLCatalog.openSQLite(
                path: directory.appendingPathComponent("catalog.sqlite").path, secretKey: SymmetricKey(size: .bits256), logger: logger)
        } catch {
            try? await simulator.shutdown()
            throw error
        }
        let httpClient = GraphClient.makeHTTPClient()
        do {
            try await measure(simulator: simulator, catalog: catalog, httpClient: httpClient, directory: directory, logger: logger)
        } catch {
            try? await httpClient.shutdown()
            try? await catalog.shutdown()
            try? await simulator.shutdown()
            throw error
        }
        try await httpClient.shutdown()
        try await catalog.shutdown()
        try await simulator.shutdown()
    }

    private func measure(
        simulator: any SimulatorControl, catalog: SQLCatalog, httpClient: HTTPClient, directory: URL, logger: Logger
    ) async throws {
        let endpoints = simulator.endpoints
        let organization = Organization(
            name: "bench.onmicrosoft.com", tenantID: endpoints.tenantID, clientID: endpoints.clientID,
            loginBaseURL: endpoints.loginBaseURL, graphBaseURL: endpoints.graphBaseURL,
            resourceUnitsPerMinute: budget > 0 ? budget : nil)
        try await catalog.insertOrganization(organization)
        try await catalog.setGraphSecret(endpoints.clientSecret, organizationID: organization.id)
        let record = BackupRepository(name: "bench", location: directory.appendingPathComponent("pipeline").path)
        try await catalog.insertRepository(record)
        let job = BackupJob(organizationID: organization.id, repositoryID: record.id, name: "bench", scope: .entireOrganization)
        try await catalog.insertJob(job)
        let repositories = RepositoryRegistry(password: "bench", keyDerivation: .insecureFastForTesting, logger: logger)
        let connector = CatalogGraphConnector(
            catalog: catalog, httpClient: httpClient, maxConcurrency: concurrency, budgetWindow: .seconds(window), logger: logger)
        let runner = BackupRunner(
            catalog: catalog, repositories: repositories, connector: connector, downloadConcurrency: concurrency, logger: logger)

        let everything = await BenchTenant.files(of: simulator.contentTenant)
        try await phase("full", runner: runner, jobID: job.id, simulator: simulator, rawContent: everything, directory: directory, logger: logger)
        let changed = try await simulator.applyChanges()
        try await phase("incremental", runner: runner, jobID: job.id, simulator: simulator, rawContent: changed, directory: directory, logger: logger)
    }

    /// One backup, then the same bytes straight into a fresh repository; prints the phase's JSON line.
    private func phase(
        _ name: String, runner: BackupRunner, jobID: UUID, simulator: any SimulatorControl, rawContent: [FileReference],
        directory: URL, logger: Logger
    ) async throws {
        try await simulator.resetLog()
        let simulatorCPUAtStart = try await simulator.stats().cpuSeconds
        let started = ContinuousClock.now
        let cpuAtStart = ProcessCPU.seconds()
        let run = try await runner.runNow(jobID: jobID)
        let seconds = Self.seconds(ContinuousClock.now - started)
        let cpuSeconds = ProcessCPU.seconds() - cpuAtStart
        guard run.state == .succeeded else { throw GraphBenchFailure(message: "The \(name) backup ended \(run.state.rawValue).") }
        let stats = try await simulator.stats()

        let rawStore = try LocalDirectoryStore(path: directory.appendingPathComponent("raw-\(name)").path)
        let raw = try await Repository.initialize(store: rawStore, password: "bench", parameters: .insecureFastForTesting, logger: logger)
        // The bytes are read from the tenant first, so the raw rate is the repository's alone; stored with the
        // pipeline's parallelism, as the backup stores its files.
        var contents: [[UInt8]] = []
        for file in rawContent {
            if let bytes = await simulator.contentTenant.content(driveID: file.driveID, itemID: file.itemID) { contents.append(bytes) }
        }
        let rawBytes = contents.reduce(0) { $0 + $1.count }
        guard rawBytes == run.counters.bytesDownloaded else {
            throw GraphBenchFailure(message: "The \(name) backup downloaded \(run.counters.bytesDownloaded) bytes; the tenant's files hold \(rawBytes).")
        }
        let rawStarted = ContinuousClock.now
        let rawCPUAtStart = ProcessCPU.seconds()
        try await runConcurrently(contents, atMost: concurrency) { bytes in
            _ = try await raw.store(Self.buffers(bytes))
        } onResult: { _ in }
        try await raw.flush()
        let rawSeconds = Self.seconds(ContinuousClock.now - rawStarted)
        let rawCPUSeconds = ProcessCPU.seconds() - rawCPUAtStart
        contents.removeAll()

        let graphReadCPUAtStart = ProcessCPU.seconds()
        let graphReadSeconds =
            name == "full" && budget == 0
            ? try await GraphReadProbe(endpoints: simulator.endpoints, concurrency: concurrency).run(logger: logger) : nil
        let graphReadCPUSeconds = ProcessCPU.seconds() - graphReadCPUAtStart

        let files = run.counters.filesAdded + run.counters.filesChanged
        let megabytes = Double(run.counters.bytesDownloaded) / 1_000_000
        var line: [String: Any] = [
            "shape": shape.rawValue, "phase": name, "seconds": seconds, "files": files, "bytes": run.counters.bytesDownloaded,
            "itemsPerSecond": Double(files) / seconds, "megabytesPerSecond": megabytes / seconds,
            "rawSeconds": rawSeconds, "rawBytes": rawBytes, "rawItemsPerSecond": Double(rawContent.count) / rawSeconds,
            "rawMegabytesPerSecond": Double(rawBytes) / 1_000_000 / rawSeconds, "ratioToRaw": rawSeconds / seconds,
            "cpuSeconds": cpuSeconds, "rawCPUSeconds": rawCPUSeconds, "calls": stats.calls, "throttled": stats.throttled,
            "budget": budget, "window": window, "latencyMs": latencyMs, "simulator": simulatorProcess ? "process" : "in-process",
        ]
        if let end = stats.cpuSeconds, let start = simulatorCPUAtStart {
            line["simulatorCPUSeconds"] = end - start
            line["cpuRatioToRaw"] = rawCPUSeconds / cpuSeconds
        }
        if let graphReadSeconds {
            line["graphReadSeconds"] = graphReadSeconds
            line["graphReadCPUSeconds"] = graphReadCPUSeconds
            line["graphReadMegabytesPerSecond"] = megabytes / graphReadSeconds
        }
        if budget > 0 {
            let available = Double(budget) * seconds / 60
            line["unitsSpentOnSuccess"] = stats.unitsSpentOnSuccess
            line["unitsAvailable"] = available
            line["utilisation"] = Double(stats.unitsSpentOnSuccess) / available
        }
        let data = try JSONSerialization.data(withJSONObject: line, options: [.sortedKeys])
        print(String(decoding: data, as: UTF8.self))
    }

    private static func buffers(_ bytes: [UInt8]) -> AsyncStream<ByteBuffer> {
        let (stream, continuation) = AsyncStream<ByteBuffer>.makeStream()
        var offset = 0
        repeat {
            let end = min(bytes.count, offset + (256 << 10))
            continuation.yield(ByteBuffer(bytes: bytes[offset..<end]))
            offset = end
        } while offset < bytes.count
        continuation.finish()
        return stream
    }

    static func seconds(_ duration: Duration) -> Double {
        let (seconds, attoseconds) = duration.components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}

/// A benchmark run that could not be measured (a backup that did not succeed).
struct GraphBenchFailure: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}
