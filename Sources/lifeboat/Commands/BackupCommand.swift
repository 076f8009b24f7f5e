import ArgumentParser
import BackupEngine
import Catalog
import Foundation
import LifeboatModel
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
                point); 2 it failed (nothing it was asked for was backed up, or it could not commit: no restore point); \
                130 or 143 it was interrupted by SIGINT (Ctrl-C) or SIGTERM (no restore point); 1 it could not start \
                (unknown job, a run of the job already under way, bad settings).
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
    /// process ended by that signal: 128 + its number (130 for SIGINT, 143 for SIGTERM).
    static func code(for outcome: BackupRunReporter.Outcome) -> Int32? {
        switch outcome.run.state {
        case .succeeded: nil
        case .warning: warning
        default: outcome.interruptedBy.map { 128 + $0.rawValue } ?? failed
        }
    }
}

/// Runs a backup job with a progress line on standard error and a summary on standard output.
enum BackupRunReporter {
    /// How a run ended, and the signal that interrupted it, if one did.
    struct Outcome: Sendable {
        var run: JobRun
        var interruptedBy: UnixSignal?
    }

    /// What ends the wait for a run: its end, or a signal.
    private enum Event: Sendable {
        case ended(JobRun)
        case signalled(UnixSignal)
    }

    /// Runs the job to its end and prints what it did; returns the finished run. SIGINT and SIGTERM interrupt it (see
    /// `runTrappingSignals`).
    static func run(_ job: BackupJob, installation: LocalInstallation, fullEnumeration: Bool) async throws -> JobRun {
        try await runTrappingSignals(job, installation: installation, fullEnumeration: fullEnumeration).run
    }

    /// Runs the job to its end and prints what it did. SIGINT (Ctrl-C) and SIGTERM (`docker stop`, systemd) interrupt
    /// the run instead of killing the process: it ends `failed`, its errors saying which signal stopped it, and the
    /// process goes on to print the summary.
    static func runTrappingSignals(_ job: BackupJob, installation: LocalInstallation, fullEnumeration: Bool) async throws -> Outcome {
        let progress = ProgressLine()
        StandardOutput.line("Backing up '\(job.name)'...")
        let interruption = RunInterruption()
        let signals = await UnixSignalsSequence(trapping: .sigint, .sigterm)
        let outcome: Outcome
        do {
            outcome = try await withThrowingTaskGroup(of: Event?.self) { group in
                group.addTask {
                    let run = try await installation.runner.runNow(
                        jobID: job.id, fullEnumeration: fullEnumeration, interruption: interruption
                    ) { update in
                        progress.show(
                            "[\(update.drivesDone)/\(update.drivesTotal) drives] \(update.drive): \(update.counters.itemsScanned) items scanned, "
                                + "\(update.counters.filesAdded + update.counters.filesChanged) files stored, "
                                + "\(formattedBytes(update.counters.bytesDownloaded)) downloaded")
                    }
                    return .ended(run)
                }
                group.addTask {
                    for await signal in signals { return .signalled(signal) }
                    return nil
                }
                var interruptedBy: UnixSignal?
                while let event = try await group.next() {
                    switch event {
                    case .ended(let run):
                        group.cancelAll()
                        return Outcome(run: run, interruptedBy: interruptedBy)
                    case .signalled(let signal):
                        // The run's task, cancelled, records the interruption and ends the run; its end is awaited.
                        let name = signal.description.uppercased()
                        interruption.record(name)
                        interruptedBy = signal
                        progress.finish()
                        FileHandle.standardError.write(Data("\(name) received: ending the run...\n".utf8))
                        group.cancelAll()
                    case nil:
                        continue
                    }
                }
                throw CancellationError()
            }
        } catch EngineError.jobAlreadyRunning {
            progress.finish()
            throw CommandFailure("Job '\(job.name)' already has a run queued or running; wait for it to end.")
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
        for error in try await installation.catalog.runErrors(runID: run.id).prefix(10) {
            StandardOutput.line("  ! \(error.itemPath.map { "\($0): " } ?? "")\(error.message)")
        }
        return outcome
    }
}
