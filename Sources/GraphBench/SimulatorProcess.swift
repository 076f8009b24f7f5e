import Foundation
import Logging
import M365Simulator

/// The simulator in a child process (this executable, run with `--serve-simulator`), steered by one-line commands on its
/// standard input (`reset`, `stats`, `change`) that it answers with one JSON line each; closing its input stops it.
///
/// The child prints its `SimulatorEndpoints` first. This process keeps a mirror of the tenant, built from the same options
/// and seeds, for the raw-ingest comparison; the mirror's drives must equal the child's.
actor SimulatorProcess: SimulatorControl {
    nonisolated let endpoints: SimulatorEndpoints
    nonisolated let contentTenant: SimulatedTenant
    private let bench: BenchTenant
    private let process: Process
    private let commands: FileHandle
    private var replies: AsyncStream<String>.Iterator

    /// Starts the child with `arguments` (the benchmark's options plus `--serve-simulator`) and waits for its endpoints.
    init(_ bench: BenchTenant, arguments: [String]) async throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        process.arguments = arguments + ["--serve-simulator"]
        let input = Pipe()
        let output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        try process.run()
        var replies = LineReading.lines(of: output.fileHandleForReading).makeAsyncIterator()
        let endpoints: SimulatorEndpoints
        let mirror: SimulatedTenant
        do {
            guard let first = await replies.next(isolation: nil) else {
                throw GraphBenchFailure(message: "The simulator process ended before it served (its error output tells why).")
            }
            endpoints = try JSONDecoder().decode(SimulatorEndpoints.self, from: Data(first.utf8))
            mirror = try await bench.populated()
            guard await mirror.drives().map(\.id) == endpoints.driveIDs else {
                throw GraphBenchFailure(message: "The simulator process serves other drives than this process's mirror of its tenant.")
            }
        } catch {
            if process.isRunning { process.terminate() }
            throw error
        }
        self.endpoints = endpoints
        self.contentTenant = mirror
        self.bench = bench
        self.process = process
        self.commands = input.fileHandleForWriting
        self.replies = replies
    }

    func resetLog() async throws { _ = try await send("reset", expecting: Acknowledgement.self) }

    func stats() async throws -> SimulatorStats { try await send("stats", expecting: SimulatorStats.self) }

    func applyChanges() async throws -> [FileReference] {
        let changed = try await bench.applyChanges(to: contentTenant)
        let reply = try await send("change", expecting: Acknowledgement.self)
        guard reply.changed == changed.count else {
            throw GraphBenchFailure(message: "The simulator process changed \(reply.changed ?? 0) files, the mirror \(changed.count).")
        }
        return changed
    }

    /// Closes the child's input and polls (never blocking a thread of the pool) until it exits; kills it after 30 s.
    func shutdown() async throws {
        try commands.close()
        let deadline = ContinuousClock.now + .seconds(30)
        while process.isRunning {
            guard ContinuousClock.now < deadline else {
                process.terminate()
                throw GraphBenchFailure(message: "The simulator process did not stop within 30 s of its input closing.")
            }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    private func send<Reply: Decodable>(_ command: String, expecting: Reply.Type) async throws -> Reply {
        try commands.write(contentsOf: Data((command + "\n").utf8))
        var iterator = replies
        let line = await iterator.next(isolation: self)
        replies = iterator
        guard let line else { throw GraphBenchFailure(message: "The simulator process ended while answering '\(command)'.") }
        return try JSONDecoder().decode(Reply.self, from: Data(line.utf8))
    }

    /// Serves `bench`'s tenant from this process (the child's side) until its standard input closes.
    static func serve(_ bench: BenchTenant, logger: Logger) async throws {
        let simulator = try await RunningSimulator.start(bench.configuration, logger: logger)
        do {
            try await bench.addLargeFiles(to: simulator.tenant)
            try reply(await SimulatorEndpoints(serving: simulator))
            for await command in LineReading.lines(of: .standardInput) {
                switch command {
                case "reset":
                    await simulator.requestLog.reset()
                    try reply(Acknowledgement())
                case "stats":
                    try reply(SimulatorStats(log: await simulator.requestLog.entries(), cpuSeconds: ProcessCPU.seconds()))
                case "change":
                    try reply(Acknowledgement(changed: try await bench.applyChanges(to: simulator.tenant).count))
                default:
                    throw GraphBenchFailure(message: "Unknown simulator command '\(command)'.")
                }
            }
        } catch {
            try? await simulator.shutdown()
            throw error
        }
        try await simulator.shutdown()
    }

    private static func reply(_ value: some Encodable) throws {
        try FileHandle.standardOutput.write(contentsOf: JSONEncoder().encode(value) + Data("\n".utf8))
    }

    private struct Acknowledgement: Codable {
        var changed: Int?
    }
}

/// Lines of text read from a file handle by a thread of their own, so that waiting for the next line never holds a thread
/// of Swift's cooperative pool (which, in the simulator's process, answers Graph).
enum LineReading {
    static func lines(of handle: FileHandle) -> AsyncStream<String> {
        let (stream, continuation) = AsyncStream<String>.makeStream()
        let thread = Thread {
            var pending: [UInt8] = []
            while true {
                let data = handle.availableData
                if data.isEmpty { break }
                pending.append(contentsOf: data)
                while let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
                    continuation.yield(String(decoding: pending[..<newline], as: UTF8.self))
                    pending.removeSubrange(...newline)
                }
            }
            continuation.finish()
        }
        thread.start()
        return stream
    }
}

/// User and system CPU time of this process so far.
enum ProcessCPU {
    static func seconds() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        func seconds(_ time: timeval) -> Double { Double(time.tv_sec) + Double(time.tv_usec) / 1e6 }
        return seconds(usage.ru_utime) + seconds(usage.ru_stime)
    }
}
