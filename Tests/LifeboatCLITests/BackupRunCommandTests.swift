import Catalog
import Crypto
import Foundation
import LifeboatModel
import LifeboatTestSupport
import M365Simulator
import Testing

/// `lifeboat backup run` as a script runs it: its exit code tells how the run ended, and a run killed or interrupted
/// never leaves its job stuck.
@Suite("lifeboat backup run: exit codes, signals, kills", .serialized)
struct BackupRunCommandTests {
    /// Two OneDrives of a few small files and one file over 4 MiB, whose download takes seconds on a slow simulator.
    static let spec = TenantSpec(
        seed: 77, userCount: 2, teamSiteCount: 0, communicationSiteCount: 0, subsitesPerSite: 0, foldersPerDrive: 1,
        maxFolderDepth: 1, filesPerDrive: 4, maxFileSize: 64 << 10, largeFileCount: 1, maxVersions: 1)

    /// A simulator whose download bodies come slowly, so that a run is still downloading its large file when signalled.
    static func slowSimulator() async throws -> RunningSimulator {
        var configuration = SimulatorConfiguration(tenant: spec)
        configuration.faults.slowBodyShare = 1
        configuration.faults.bodyChunkDelay = .milliseconds(40)
        return try await RunningSimulator.start(configuration, logger: .quiet("test"))
    }

    /// Starts `backup run --job nightly` and returns once it is downloading the tenant's large file (which takes it
    /// seconds more), so the run has neither ended nor committed.
    static func launchMidRun(_ installation: CLIInstallation, simulator: RunningSimulator) async throws -> ChildProcess {
        var large: [String] = []
        for drive in await simulator.tenant.drives() {
            large += await simulator.tenant.allFiles(driveID: drive.id).filter { $0.size > 4 << 20 }.map(\.id)
        }
        let largeID = try #require(large.first)
        let child = try LifeboatProcess.launch(["backup", "run", "--job", "nightly"] + installation.settings, in: installation.folder)
        let deadline = ContinuousClock.now + .seconds(120)
        while await !simulator.requestLog.entries().currentContentDownloads.contains(largeID) {
            guard child.isRunning, ContinuousClock.now < deadline else {
                throw ChildProcessError.exited(child.commandLine, status: -1, output: child.output, errorOutput: child.errorOutput)
            }
            try await Task.sleep(for: .milliseconds(10))
        }
        return child
    }

    @Test("a backup run killed with SIGKILL mid-run does not block the next one, which ends the dead run and succeeds")
    func killedRunDoesNotBlockTheNext() async throws {
        let simulator = try await Self.slowSimulator()
        try await CLIInstallation.with(simulator, jobs: ["nightly": .entireOrganization]) { installation in
            let child = try await Self.launchMidRun(installation, simulator: simulator)
            let killed = try await child.signalAndWait(SIGKILL)
            #expect(killed.killedBySignal)
            #expect(try await installation.runs(of: "nightly").first?.state == .running, "the killed process could not end its run")

            let output = try await LifeboatProcess.runToEnd(["backup", "run", "--job", "nightly"] + installation.settings, in: installation.folder)
            #expect(output.contains("ended: succeeded"), "\(output)")
            let runs = try await installation.runs(of: "nightly")
            #expect(runs.map(\.state) == [.succeeded, .failed])
            let reason = try await installation.withCatalog { try await $0.runErrors(runID: runs[1].id).first?.message }
            #expect(reason?.contains("is no longer running") == true, "\(reason ?? "no error")")
            let points = try await installation.withCatalog { try await $0.restorePoints(RestorePointFilter()) }
            #expect(points.count == 1)
        }
    }

    @Test("starting lifeboat serve while lifeboat backup run works leaves that backup alone: it ends succeeded, with its restore point")
    func serveLeavesALiveBackupAlone() async throws {
        let simulator = try await Self.slowSimulator()
        try await CLIInstallation.with(simulator, jobs: ["nightly": .entireOrganization]) { installation in
            let backup = try await Self.launchMidRun(installation, simulator: simulator)
            let serve = try LifeboatProcess.launch(["serve", "--port", "0"] + installation.settings, in: installation.folder)
            defer { serve.stop() }
            // serve ends abandoned runs before it listens.
            let deadline = ContinuousClock.now + .seconds(60)
            while !serve.errorOutput.contains("Server started and listening") {
                try #require(serve.isRunning && ContinuousClock.now < deadline, "serve did not start: \(serve.errorOutput)")
                try await Task.sleep(for: .milliseconds(20))
            }
            #expect(try await installation.runs(of: "nightly").first?.state == .running)

            let output = try await backup.waitForSuccess(timeout: .seconds(300))
            #expect(output.contains("ended: succeeded"), "\(output)")
            #expect(try await installation.runs(of: "nightly").map(\.state) == [.succeeded])
            #expect(try await installation.withCatalog { try await $0.restorePoints(RestorePointFilter()) }.count == 1)
            _ = try await serve.signalAndWait(SIGINT)
        }
    }

    @Test("SIGTERM and SIGINT end a backup run as interrupted: exit 128 + signal, the reason printed and recorded, no restore point",
          arguments: [SIGTERM, SIGINT])
    func signalInterruptsTheRun(signal: Int32) async throws {
        let name = signal == SIGTERM ? "SIGTERM" : "SIGINT"
        let simulator = try await Self.slowSimulator()
        try await CLIInstallation.with(simulator, jobs: ["nightly": .entireOrganization]) { installation in
            let child = try await Self.launchMidRun(installation, simulator: simulator)
            let ended = try await child.signalAndWait(signal)
            #expect(!ended.killedBySignal && ended.status == 128 + signal, "\(child.output)\n\(child.errorOutput)")
            #expect(child.output.contains("ended: failed"), "\(child.output)")
            #expect(child.output.contains("The run was interrupted by \(name)"), "\(child.output)")
            let run = try #require(try await installation.runs(of: "nightly").first)
            #expect(run.state == .failed && run.endedAt != nil)
            #expect(try await installation.withCatalog { try await $0.restorePoints(RestorePointFilter()) }.isEmpty)
        }
    }

    @Test("the exit code tells the ending apart: 0 succeeded, 3 warning (one named user missing), 2 failed (nothing it names exists)")
    func exitCodes() async throws {
        let simulator = try await RunningSimulator.start(SimulatorConfiguration(tenant: Self.spec), logger: .quiet("test"))
        let user = try #require(await simulator.tenant.users().first)
        let missing = "nobody@contoso.onmicrosoft.com"
        let jobs = ["all": BackupScope.entireOrganization, "partly": BackupScope(users: [user.upn, missing]), "none": BackupScope(users: [missing])]
        try await CLIInstallation.with(simulator, jobs: jobs) { installation in
            for (job, expected) in [("all", Int32(0)), ("partly", 3), ("none", 2)] {
                let child = try LifeboatProcess.launch(["backup", "run", "--job", job] + installation.settings, in: installation.folder)
                let ended = try await child.waitForTermination(timeout: .seconds(300))
                #expect(!ended.killedBySignal && ended.status == expected, "\(job): \(child.output)\n\(child.errorOutput)")
            }
            let points = try await installation.withCatalog { try await $0.restorePoints(RestorePointFilter()) }
            #expect(points.count == 2, "the failed run made no restore point")
        }
    }

    @Test("a second SIGINT while the run waits to record its end (its catalog locked by another process) exits 130 at once",
          .enabled(if: ExternalTool.python3 != nil))
    func secondSignalExitsAtOnce() async throws {
        let simulator = try await Self.slowSimulator()
        try await CLIInstallation.with(simulator, jobs: ["nightly": .entireOrganization]) { installation in
            let child = try await Self.launchMidRun(installation, simulator: simulator)
            defer { child.stop() }
            // Another process holds the catalog's write lock: the run cannot record its end for the busy timeout (30 s).
            let locker = try ChildProcess.launch(
                try #require(ExternalTool.python3),
                ["-c", "import sqlite3, sys, time\nc = sqlite3.connect(sys.argv[1], isolation_level=None, timeout=60)\n"
                    + "c.execute('BEGIN IMMEDIATE')\nprint('locked', flush=True)\ntime.sleep(600)",
                 installation.data.appendingPathComponent("catalog.sqlite").path],
                logsIn: installation.folder)
            defer { locker.stop() }
            _ = try await locker.waitForOutput(timeout: .seconds(60)) { $0.contains("locked") }

            kill(child.pid, SIGINT)
            let deadline = ContinuousClock.now + .seconds(30)
            while !child.errorOutput.contains("SIGINT received: ending the run") {
                try #require(child.isRunning && ContinuousClock.now < deadline, "\(child.output)\n\(child.errorOutput)")
                try await Task.sleep(for: .milliseconds(20))
            }
            let started = ContinuousClock.now
            let ended = try await child.signalAndWait(SIGINT, timeout: .seconds(10))
            #expect(!ended.killedBySignal && ended.status == 128 + SIGINT, "\(child.output)\n\(child.errorOutput)")
            #expect(ContinuousClock.now - started < .seconds(10))
            #expect(child.errorOutput.contains("SIGINT received again: exiting without recording the run's end"))
        }
    }
}
