import ArgumentParser
import BackupEngine
import Catalog
import Foundation
import LifeboatModel

/// `lifeboat backup ...`: backup runs from the command line.
struct BackupCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backup", abstract: "Run backup jobs.", subcommands: [Run.self])

    /// `lifeboat backup run`: runs one job now, in this process, showing progress.
    struct Run: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Run a backup job now and wait for it to end.")

        @OptionGroup var settings: SettingsOptions
        @Option(help: "The job's id or name (see `lifeboat job list`).") var job: String
        @Flag(help: "Enumerate every item again instead of following stored delta links (unchanged files are still not downloaded).")
        var full = false

        func run() async throws {
            let state = try await LocalInstallation.with(settings) { installation in
                let job = try await installation.job(named: job)
                return try await BackupRunReporter.run(job, installation: installation, fullEnumeration: full).state
            }
            if state == .failed { throw ExitCode(2) }
        }
    }
}

/// Runs a backup job with a progress line on standard error and a summary on standard output.
enum BackupRunReporter {
    /// Runs the job to its end and prints what it did; returns the finished run.
    static func run(_ job: BackupJob, installation: LocalInstallation, fullEnumeration: Bool) async throws -> JobRun {
        let progress = ProgressLine()
        StandardOutput.line("Backing up '\(job.name)'...")
        let run: JobRun
        do {
            run = try await installation.runner.runNow(jobID: job.id, fullEnumeration: fullEnumeration) { update in
                progress.show(
                    "[\(update.drivesDone)/\(update.drivesTotal) drives] \(update.drive): \(update.counters.itemsScanned) items scanned, "
                        + "\(update.counters.filesAdded + update.counters.filesChanged) files stored, "
                        + "\(formattedBytes(update.counters.bytesDownloaded)) downloaded")
            }
        } catch EngineError.jobAlreadyRunning {
            progress.finish()
            throw CommandFailure("Job '\(job.name)' already has a run queued or running; wait for it to end.")
        }
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
        return run
    }
}
