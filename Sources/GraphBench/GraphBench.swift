import ArgumentParser
import AsyncHTTPClient
import BackupEngine
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

    func run() async throws {
        var logger = Logger(label: "lifeboat.bench.graph")
        logger.logLevel = .error
        let directory = URL(fileURLWithPath: work)
        try? FileManager.default.removeItem(at: directory)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)

        var configuration = SimulatorConfiguration(tenant: tenantSpec)
        var plan = FaultPlan(seed: seed)
        if budget > 0 {
            plan.resourceUnitBudget = FaultPlan.ResourceUnitBudget(units: budget * window / 60, window: .seconds(window))
        }
        if latencyMs > 0 {
            plan.slowFirstByteShare = 1
            plan.firstByteDelay = .milliseconds(latencyMs)
        }
        configuration.faults = plan
        let simulator = try await RunningSimulator.start(configuration, logger: logger)
        let catalog = try await SQLCatalog.openSQLite(
            path: directory.appendingPathComponent("catalog.sqlite").path, secretKey: SymmetricKey(size: .bits256), logger: logger)
        let httpClient = GraphClient.makeHTTPClient()
        do {
            if shape == .large { try await addLargeFiles(to: simulator.tenant) }
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

    private var tenantSpec: TenantSpec {
        switch shape {
        case .small:
            TenantSpec(
                seed: seed, userCount: drives, teamSiteCount: 0, communicationSiteCount: 0, subsitesPerSite: 0, foldersPerDrive: 10,
                filesPerDrive: files, maxFileSize: 1 << 20, largeFileCount: 0, maxVersions: 1)
        case .large:
            TenantSpec(
                seed: seed, userCount: 1, teamSiteCount: 0, communicationSiteCount: 0, subsitesPerSite: 0, foldersPerDrive: 0,
                filesPerDrive: 0, largeFileCount: 0, maxVersions: 1)
        }
    }

    private func addLargeFiles(to tenant: SimulatedTenant) async throws {
        guard let drive = await tenant.drives().first else { return }
        var generator = SystemRandomNumberGenerator()
        for index in 0..<files {
            let bytes = Self.randomBytes(fileSize, &generator)
            _ = try await tenant.createFile(driveID: drive.id, parentID: drive.rootItemID, name: "large-\(index).bin", bytes: bytes)
        }
    }

    private static func randomBytes(_ count: Int, _ generator: inout SystemRandomNumberGenerator) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        bytes.withUnsafeMutableBytes { raw in
            let words = raw.count / 8
            for index in 0..<words { raw.storeBytes(of: generator.next() as UInt64, toByteOffset: index * 8, as: UInt64.self) }
            for index in (words * 8)..<raw.count { raw[index] = UInt8.random(in: 0...255, using: &generator) }
        }
        return bytes
    }

    private func measure(
        simulator: RunningSimulator, catalog: SQLCatalog, httpClient: HTTPClient, directory: URL, logger: Logger
    ) async throws {
        let organization = Organization(
            name: "bench.onmicrosoft.com", tenantID: simulator.tenantID, clientID: simulator.clientID,
            loginBaseURL: simulator.loginBaseURL, graphBaseURL: simulator.graphBaseURL,
            resourceUnitsPerMinute: budget > 0 ? budget : nil)
        try await catalog.insertOrganization(organization)
        try await catalog.setGraphSecret(simulator.clientSecret, organizationID: organization.id)
        let record = BackupRepository(name: "bench", location: directory.appendingPathComponent("pipeline").path)
        try await catalog.insertRepository(record)
        let job = BackupJob(organizationID: organization.id, repositoryID: record.id, name: "bench", scope: .entireOrganization)
        try await catalog.insertJob(job)
        let repositories = RepositoryRegistry(password: "bench", keyDerivation: .insecureFastForTesting, logger: logger)
        let connector = CatalogGraphConnector(
            catalog: catalog, httpClient: httpClient, maxConcurrency: concurrency, budgetWindow: .seconds(window), logger: logger)
        let runner = BackupRunner(
            catalog: catalog, repositories: repositories, connector: connector, downloadConcurrency: concurrency, logger: logger)

        let everything = try await filesOf(simulator.tenant)
        try await phase("full", runner: runner, jobID: job.id, simulator: simulator, rawContent: everything, directory: directory, logger: logger)

        var changed: [(driveID: String, itemID: String)] = []
        var generator = SystemRandomNumberGenerator()
        let step = max(1, Int((1 / max(changedShare, 0.0001)).rounded()))
        for (index, file) in everything.enumerated() where index % step == 0 {
            let size = await simulator.tenant.content(driveID: file.driveID, itemID: file.itemID)?.count ?? 0
            _ = try await simulator.tenant.updateContent(
                driveID: file.driveID, itemID: file.itemID, bytes: Self.randomBytes(max(1, size), &generator))
            changed.append(file)
        }
        try await phase("incremental", runner: runner, jobID: job.id, simulator: simulator, rawContent: changed, directory: directory, logger: logger)
    }

    private func filesOf(_ tenant: SimulatedTenant) async throws -> [(driveID: String, itemID: String)] {
        var result: [(driveID: String, itemID: String)] = []
        for drive in await tenant.drives() {
            for file in await tenant.allFiles(driveID: drive.id) { result.append((drive.id, file.id)) }
        }
        return result
    }

    /// One backup, then the same bytes straight into a fresh repository; prints the phase's JSON line.
    private func phase(
        _ name: String, runner: BackupRunner, jobID: UUID, simulator: RunningSimulator, rawContent: [(driveID: String, itemID: String)],
        directory: URL, logger: Logger
    ) async throws {
        await simulator.requestLog.reset()
        let started = ContinuousClock.now
        let cpuAtStart = Self.processCPUSeconds()
        let run = try await runner.runNow(jobID: jobID)
        let seconds = Self.seconds(ContinuousClock.now - started)
        let cpuSeconds = Self.processCPUSeconds() - cpuAtStart
        guard run.state == .succeeded else { throw GraphBenchFailure(message: "The \(name) backup ended \(run.state.rawValue).") }
        let log = await simulator.requestLog.entries().filter { $0.resourceUnits != nil || $0.path.hasPrefix("/v1.0/") || $0.path.hasPrefix("/download/") }
        let throttled = log.filter { $0.status == 429 || ($0.status == 503 && $0.fault != nil) }
        let spentOnSuccess = log.filter { $0.status != 429 && $0.status != 503 }.reduce(0) { $0 + ($1.resourceUnits ?? 0) }

        let rawStore = try LocalDirectoryStore(path: directory.appendingPathComponent("raw-\(name)").path)
        let raw = try await Repository.initialize(store: rawStore, password: "bench", parameters: .insecureFastForTesting, logger: logger)
        // The bytes are read from the tenant first, so the raw rate is the repository's alone; stored with the
        // pipeline's parallelism, as the backup stores its files.
        var contents: [[UInt8]] = []
        for file in rawContent {
            if let bytes = await simulator.tenant.content(driveID: file.driveID, itemID: file.itemID) { contents.append(bytes) }
        }
        let rawBytes = contents.reduce(0) { $0 + $1.count }
        let rawStarted = ContinuousClock.now
        let rawCPUAtStart = Self.processCPUSeconds()
        try await withThrowingTaskGroup(of: Void.self) { group in
            var next = 0
            for _ in 0..<min(concurrency, contents.count) {
                let bytes = contents[next]
                next += 1
                group.addTask { _ = try await raw.store(Self.buffers(bytes)) }
            }
            while try await group.next() != nil, next < contents.count {
                let bytes = contents[next]
                next += 1
                group.addTask { _ = try await raw.store(Self.buffers(bytes)) }
            }
            try await group.waitForAll()
        }
        try await raw.flush()
        let rawSeconds = Self.seconds(ContinuousClock.now - rawStarted)
        let rawCPUSeconds = Self.processCPUSeconds() - rawCPUAtStart
        contents.removeAll()

        // What Graph alone allows here: a full backup's reads (delta, batched histories, content) with no repository.
        let graphReadSeconds = name == "full" && budget == 0 ? try await Self.readThroughGraph(simulator: simulator, concurrency: concurrency, logger: logger) : nil

        let files = run.counters.filesAdded + run.counters.filesChanged
        let megabytes = Double(run.counters.bytesDownloaded) / 1_000_000
        var line: [String: Any] = [
            "shape": shape.rawValue, "phase": name, "seconds": seconds, "files": files, "bytes": run.counters.bytesDownloaded,
            "itemsPerSecond": Double(files) / seconds, "megabytesPerSecond": megabytes / seconds,
            "rawSeconds": rawSeconds, "rawBytes": rawBytes, "rawItemsPerSecond": Double(rawContent.count) / rawSeconds,
            "rawMegabytesPerSecond": Double(rawBytes) / 1_000_000 / rawSeconds, "ratioToRaw": rawSeconds / seconds,
            "cpuSeconds": cpuSeconds, "rawCPUSeconds": rawCPUSeconds, "calls": log.count, "throttled": throttled.count, "budget": budget, "window": window, "latencyMs": latencyMs,
        ]
        if let graphReadSeconds {
            line["graphReadSeconds"] = graphReadSeconds
            line["graphReadMegabytesPerSecond"] = megabytes / graphReadSeconds
        }
        if budget > 0 {
            let available = Double(budget) * seconds / 60
            line["unitsSpentOnSuccess"] = spentOnSuccess
            line["unitsAvailable"] = available
            line["utilisation"] = Double(spentOnSuccess) / available
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

    /// Reads what a full backup reads from Graph, and nothing more: every drive's delta from scratch (drives side by
    /// side, as the runner does), each page's histories in batches and its files' current content, whose bytes are
    /// dropped. Its time is the floor Graph and the HTTP stack put under the pipeline on this machine, where the
    /// simulator answers from the same process and cores; returns it in seconds.
    private static func readThroughGraph(simulator: RunningSimulator, concurrency: Int, logger: Logger) async throws -> Double {
        let httpClient = GraphClient.makeHTTPClient()
        let client = GraphClient(
            httpClient: httpClient, endpoints: GraphEndpoints(loginBaseURL: simulator.loginBaseURL, graphBaseURL: simulator.graphBaseURL),
            credentials: GraphCredentials(tenantID: simulator.tenantID, clientID: simulator.clientID, clientSecret: simulator.clientSecret),
            pacing: GraphPacing(maxConcurrency: concurrency), logger: logger)
        let started = ContinuousClock.now
        do {
            try await withThrowingTaskGroup(of: Void.self) { drives in
                for drive in await simulator.tenant.drives() {
                    drives.addTask { try await readDrive(drive.id, client: client, concurrency: concurrency) }
                }
                try await drives.waitForAll()
            }
        } catch {
            try? await httpClient.shutdown()
            throw error
        }
        let seconds = Self.seconds(ContinuousClock.now - started)
        try await httpClient.shutdown()
        return seconds
    }

    private static func readDrive(_ driveID: String, client: GraphClient, concurrency: Int) async throws {
        var link: String?
        repeat {
            let page = try await client.delta(driveID: driveID, link: link)
            let files = page.items.filter { !$0.isFolder && !$0.isDeleted }
            _ = await client.versions(driveID: driveID, itemIDs: files.map(\.id))
            try await withThrowingTaskGroup(of: Void.self) { group in
                var next = 0
                func startNext() {
                    guard next < files.count else { return }
                    let file = files[next]
                    next += 1
                    group.addTask {
                        try await client.withTransferSlot {
                            for try await _ in try await client.currentContent(driveID: driveID, listed: file) {}
                        }
                    }
                }
                for _ in 0..<concurrency { startNext() }
                while try await group.next() != nil { startNext() }
            }
            link = page.nextLink
        } while link != nil
    }

    /// User and system CPU time of the whole process so far (the simulator's share included, as it runs in process).
    private static func processCPUSeconds() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        func seconds(_ time: timeval) -> Double { Double(time.tv_sec) + Double(time.tv_usec) / 1e6 }
        return seconds(usage.ru_utime) + seconds(usage.ru_stime)
    }

    private static func seconds(_ duration: Duration) -> Double {
        let (seconds, attoseconds) = duration.components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}

/// A benchmark run that could not be measured (a backup that did not succeed).
struct GraphBenchFailure: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}
