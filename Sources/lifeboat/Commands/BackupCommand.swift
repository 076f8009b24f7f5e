import ArgumentParser
import BackupEngine
import Catalog
import Foundation
import LifeboatModel
import Synchronization
import UnixSignals

/// `lifeboat backup ...`: backup runs from the command line.
struct BackupCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backup", abstract: "Run backup jobs.", subcommands: [Run.self])

    /// `lifeboat backup run`: runs one job now, in this process, showing progress.
    ///
    /// Its exit code tells a script how the run ended (see `BackupExitCode`).
    struct Run: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run a backup job now and wait for it to end.",
            discussion: """
                Exit codes: 0 the run succeeded; 3 it ended with warnings (some items failed, the rest is in a new restore \
                point); 2 it failed (nothing it was asked for was backed up, or it could not commit, or its end could not \
                be recorded, or another process ended it: no restore point); 130 or 143 it was interrupted by SIGINT \
                (Ctrl-C) or SIGTERM (no restore point; a second signal exits at once, without waiting for the run to \
                record its end); 1 it could not start (unknown job, a run of the job already under way, bad settings).
                """)

        @OptionGroup var settings: SettingsOptions
        @Option(help: "The job's id or name (see `lifeboat job list`).") var job: String
        @Flag(help: "Enumerate every item again instead of following stored delta links (unchanged files are still not downloaded).")
        var full = false

        func run() async throws {
            let outcome = try await LocalInstallation.with(settings) { installation in
                let job = try await installation.job(named: job)
                return try await BackupRunReporter.runTrappingSignals(job, installation: installation, fullEnumeration: full)
            }
            if let code = BackupExitCode.code(for: outcome) { throw ExitCode(code) }
        }
    }
}

/// The exit codes of `lifeboat backup run`, one per way a run ends, so that a script can tell them apart.
enum BackupExitCode {
    /// Some items failed; everything else is in the new restore point.
    static let warning: Int32 = 3
    /// The run failed: no restore point.
    static let failed: Int32 = 2

    /// The exit code of a run that ended this way; nil for success (0). An interrupted run exits as shells report a
    /// process ended by that signal: 128 + its number (130 for SIGINT, 143 for SIGTERM). A run whose end was not
    /// recorded (a full catalog disk, or another process ended it) made no restore point: it failed.
    static func code(for outcome: BackupRunReporter.Outcome) -> Int32? {
        if let signal = outcome.interruptedBy { return interrupted(by: signal) }
        if outcome.notRecorded != nil { return failed }
        switch outcome.run.state {
        case .succeeded: return nil
        case .warning: return warning
        default: return failed
        }
    }

    /// How shells report a process ended by `signal`: 128 + its number.
    static func interrupted(by signal: UnixSignal) -> Int32 {
        128 + signal.rawValue
    }
}

/// Runs a backup job with a progress line on standard error and a summary on standard output.
enum BackupRunReporter {
    /// How a run ended, and the signal that interrupted it, if one did.
    struct Outcome: Sendable {
        var run: JobRun
        var interruptedBy: UnixSignal?
        /// Why the run's end is not in the catalog as `run` says (it could not be written, or another process ended the
        /// run); nil when it is.
        var notRecorded: String?
    }

    /// Runs the job to its end and prints what it did; returns the finished run. SIGINT and SIGTERM interrupt it (see
    /// `runTrappingSignals`).
    static func run(_ job: BackupJob, installation: LocalInstallation, fullEnumeration: Bool) async throws -> JobRun {
        try await runTrappingSignals(job, installation: installation, fullEnumeration: fullEnumeration).run
    }

    /// Runs the job to its end and prints what it did. SIGINT (Ctrl-C) and SIGTERM (`docker stop`, systemd) interrupt
    /// the run instead of killing the process: it ends `failed`, its errors saying which signal stopped it, and the
    /// process goes on to print the summary. A second signal while the run records its end (a catalog that does not
    /// answer) exits at once, as interrupted.
    static func runTrappingSignals(_ job: BackupJob, installation: LocalInstallation, fullEnumeration: Bool) async throws -> Outcome {
        try await runTrappingSignals(
            job, runner: installation.runner, catalog: installation.catalog, fullEnumeration: fullEnumeration,
            onSecondSignal: { signal in exit(BackupExitCode.interrupted(by: signal)) })
    }

    /// `runTrappingSignals(_:installation:fullEnumeration:)` with its runner and catalog given, and what a second signal
    /// does (exits the process, outside tests).
    static func runTrappingSignals(
        _ job: BackupJob, runner: BackupRunner, catalog: any CatalogStore, fullEnumeration: Bool,
        onSecondSignal: @escaping @Sendable (UnixSignal) -> Void
    ) async throws -> Outcome {
        let progress = ProgressLine()
        StandardOutput.line("Backing up '\(job.name)'...")
        let interruption = RunInterruption()
        let received = ReceivedSignal()
        let signals = await UnixSignalsSequence(trapping: .sigint, .sigterm)
        let work = Task {
            try await runner.runNow(jobID: job.id, fullEnumeration: fullEnumeration, interruption: interruption) { update in
                progress.show(
                    "[\(update.drivesDone)/\(update.drivesTotal) drives] \(update.drive): \(update.counters.itemsScanned) items scanned, "
                        + "\(update.counters.filesAdded + update.counters.filesChanged) files stored, "
                        + "\(formattedBytes(update.counters.bytesDownloaded)) downloaded")
            }
        }
        let listener = Task {
            for await signal in signals {
                let name = signal.description.uppercased()
                guard received.record(signal) else {
                    // The operator does not want to wait for the run to record its end: its lease lapses and the next
                    // start of the job ends it.
                    FileHandle.standardError.write(Data("\(name) received again: exiting without recording the run's end.\n".utf8))
                    onSecondSignal(signal)
                    continue
                }
                // The run's task, cancelled, records the interruption and ends the run; its end is awaited.
                interruption.record(name)
                progress.finish()
                FileHandle.standardError.write(Data("\(name) received: ending the run (again to exit at once)...\n".utf8))
                work.cancel()
            }
        }
        defer { listener.cancel() }
        let outcome: Outcome
        do {
            let run = try await withTaskCancellationHandler { try await work.value } onCancel: { work.cancel() }
            outcome = Outcome(run: run, interruptedBy: received.first)
        } catch EngineError.jobAlreadyRunning {
            progress.finish()
            throw CommandFailure("Job '\(job.name)' already has a run queued or running; wait for it to end.")
        } catch EngineError.runEndNotRecorded(let run, let reason) {
            outcome = Outcome(run: run, interruptedBy: received.first, notRecorded: reason)
        } catch let error as CatalogError {
            guard case .leaseLost = error, let run = try? await catalog.runs(jobID: job.id).first else { throw error }
            outcome = Outcome(run: run, interruptedBy: received.first, notRecorded: "\(error)")
        }
        let run = outcome.run
        progress.finish()
        let counters = run.counters
        let seconds = (run.endedAt ?? Date()).timeIntervalSince(run.startedAt ?? Date())
        StandardOutput.line(
            """
            Run \(run.externalID) ended: \(run.state.rawValue) in \(String(format: "%.1f", seconds)) s
              drives \(counters.drivesProcessed), items scanned \(counters.itemsScanned), files added \(counters.filesAdded), \
            changed \(counters.filesChanged), unchanged \(counters.filesUnchanged), renamed/moved \(counters.itemsRenamedOrMoved), \
            deleted \(counters.itemsDeleted), earlier versions \(counters.versionsStored), failed \(counters.itemsFailed)
              downloaded \(formattedBytes(counters.bytesDownloaded)), \
            new data \(formattedBytes(counters.bytesStored))
            """)
        if let reason = outcome.notRecorded {
            FileHandle.standardError.write(Data("The run's end was not recorded: \(reason)\n".utf8))
        }
        // A catalog that could not record the run's end may not answer this either: the summary above stands.
        for error in (try? await catalog.runErrors(runID: run.id).prefix(10)) ?? [] {
            StandardOutput.line("  ! \(error.itemPath.map { "\($0): " } ?? "")\(error.message)")
        }
        return outcome
    }

    /// The signals received while a run works: the first interrupts it, a second exits.
    private final class ReceivedSignal: Sendable {
        private let signal = Mutex<UnixSignal?>(nil)

        /// The first signal received, nil before.
        var first: UnixSignal? { signal.withLock { $0 } }

        /// Records `received` if it is the first; returns whether it was.
        func record(_ received: UnixSignal) -> Bool {
            signal.withLock { first in
                guard first == nil else { return false }
                first = received
                return true
            }
        }
    }
}
