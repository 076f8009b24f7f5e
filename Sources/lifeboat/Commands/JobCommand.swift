import ArgumentParser
import BackupEngine
import Catalog
import Foundation
import LifeboatModel

/// `lifeboat job ...`: backup jobs.
struct JobCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "job", abstract: "Create, schedule, list backup jobs and show their runs.",
        subcommands: [Add.self, Edit.self, List.self, History.self])

    /// `lifeboat job add`.
    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a backup job of an organization's OneDrives and sites.")

        @OptionGroup var settings: SettingsOptions
        @Option(help: "The organization's name or id.") var organization: String
        @Option(help: "Job name.") var name: String
        @Flag(help: "Back up every user's OneDrive.") var allUsers = false
        @Option(name: .customLong("user"), help: "A user principal name whose OneDrive to back up (repeatable).") var users: [String] = []
        @Flag(help: "Back up every site collection.") var allSites = false
        @Option(name: .customLong("site"), help: "An absolute site URL to back up with its subsites (repeatable).") var sites: [String] = []
        @Option(
            help: "The repository's name or id, or its location written as a path (/srv/repo, ./repo, ~/repo) or s3://bucket/prefix; it must exist (`lifeboat repo init`). Default: the only repository, or <data-dir>/repository."
        ) var repository: String?
        @OptionGroup(title: "Schedule (default: manual only)") var scheduling: ScheduleOptions

        func validate() throws {
            guard allUsers || allSites || !users.isEmpty || !sites.isEmpty else {
                throw ValidationError("Select something to back up: --all-users, --user, --all-sites or --site.")
            }
            for site in sites where URL(string: site)?.host == nil {
                throw ValidationError("--site '\(site)' is not an absolute URL (https://contoso.sharepoint.com/sites/Finance).")
            }
        }

        func run() async throws {
            try await LocalInstallation.with(settings, needsRepositoryPassword: false) { installation in
                let organizations = try await installation.catalog.organizations()
                guard let owner = organizations.first(where: { $0.name == organization || $0.id.uuidString.lowercased() == organization.lowercased() })
                else {
                    throw CommandFailure("No organization '\(organization)' (see `lifeboat organization list`).")
                }
                let record = try await installation.registeredRecord(repository)
                let now = Date()
                let schedule = try scheduling.applied(to: .manualOnly)
                try ScheduleOptions.requireRuns(schedule, in: owner.timeZone, now: now)
                let job = BackupJob(
                    organizationID: owner.id, repositoryID: record.id, name: name,
                    scope: BackupScope(allUsers: allUsers, users: users, allSites: allSites, sites: sites), createdAt: now,
                    schedule: schedule)
                do {
                    try await installation.catalog.insertJob(job)
                } catch let error as CatalogError {
                    guard case .alreadyExists = error else { throw error }
                    throw CommandFailure(
                        "A job named '\(name)' already exists (see `lifeboat job list`); choose another --name, "
                            + "so `lifeboat backup run --job \(name)` names one job.")
                }
                StandardOutput.line("Created job '\(name)' (\(job.id.uuidString.lowercased())). Run it: lifeboat backup run --job \(job.id.uuidString.lowercased())")
                if schedule != .manualOnly {
                    StandardOutput.line(JobSchedulePrinter(job: job, organization: owner, now: now).sentence)
                }
            }
        }
    }

    /// `lifeboat job edit`.
    struct Edit: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Change when a job runs by itself, or enable or disable its schedule.",
            discussion: """
                Options left out keep their setting: `--window` alone changes only the window. Times and window hours are \
                read in the organization's time zone (`lifeboat organization edit --time-zone`). `lifeboat serve` starts \
                the runs; a disabled job still runs when started by hand.
                """)

        /// Whether the scheduler starts the job's runs.
        enum Enablement: EnumerableFlag {
            case enable, disable

            static func help(for value: Self) -> ArgumentHelp? {
                value == .enable ? "Let the scheduler start the job's runs." : "Stop the scheduler from starting the job's runs."
            }
        }

        @OptionGroup var settings: SettingsOptions
        @Argument(help: "The job's name or id.") var job: String
        @OptionGroup(title: "Schedule") var scheduling: ScheduleOptions
        @Flag(exclusivity: .exclusive) var enablement: Enablement?

        func validate() throws {
            guard !scheduling.isEmpty || enablement != nil else {
                throw ValidationError("Nothing to change: give schedule options (--every, --daily, --window, ...), --enable or --disable.")
            }
        }

        func run() async throws {
            try await LocalInstallation.with(settings, needsRepositoryPassword: false) { installation in
                let catalog = installation.catalog
                var job = try await installation.job(named: job)
                guard let organization = try await catalog.organization(id: job.organizationID) else {
                    throw CommandFailure("Job '\(job.name)' belongs to an organization that is no longer registered.")
                }
                let now = Date()
                let schedule = try scheduling.applied(to: job.schedule)
                try ScheduleOptions.requireRuns(schedule, in: organization.timeZone, now: now)
                if schedule != job.schedule {
                    try await catalog.updateJobSchedule(id: job.id, schedule: schedule, now: now)
                    job.schedule = schedule
                }
                if let enablement {
                    try await catalog.setJobEnabled(id: job.id, enablement == .enable, now: now)
                    job.isEnabled = enablement == .enable
                }
                StandardOutput.line(JobSchedulePrinter(job: job, organization: organization, now: now).sentence)
            }
        }
    }

    /// `lifeboat job list`.
    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List backup jobs: schedule, whether it is enabled, next scheduled run and last run.")

        @OptionGroup var settings: SettingsOptions

        func run() async throws {
            try await LocalInstallation.with(settings, needsRepositoryPassword: false) { installation in
                let organizations = Dictionary(
                    try await installation.catalog.organizations().map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
                let now = Date()
                for job in try await installation.catalog.jobs() {
                    let timeZone = organizations[job.organizationID]?.timeZone ?? TimeZone(secondsFromGMT: 0) ?? .current
                    let printer = JobSchedulePrinter(job: job, timeZone: timeZone, now: now)
                    // A job that never ran has no outcome to show; its stored status is only the model's default.
                    let last = job.lastRun.map { "last run \(printer.time($0)): \(job.lastStatus.rawValue)" } ?? "never run"
                    StandardOutput.line(
                        "\(job.id.uuidString.lowercased())  \(job.name)  \(job.schedule.words)  \(job.isEnabled ? "enabled" : "disabled")  "
                            + "\(printer.nextRun)  \(last)")
                }
            }
        }
    }

    /// `lifeboat job history`.
    struct History: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show a job's runs, newest first: state (a skipped run with its reason), start, duration, what it did.")

        @OptionGroup var settings: SettingsOptions
        @Argument(help: "The job's name or id.") var job: String
        @Option(help: "Show at most this many runs.") var limit: Int = 20

        func validate() throws {
            guard limit >= 1 else { throw ValidationError("--limit must be at least 1.") }
        }

        func run() async throws {
            try await LocalInstallation.with(settings, needsRepositoryPassword: false) { installation in
                let catalog = installation.catalog
                let job = try await installation.job(named: job)
                let timeZone = try await catalog.organization(id: job.organizationID)?.timeZone ?? TimeZone(secondsFromGMT: 0) ?? .current
                let printer = JobSchedulePrinter(job: job, timeZone: timeZone, now: Date())
                let runs = try await catalog.runs(jobID: job.id)
                guard !runs.isEmpty else {
                    StandardOutput.line("Job '\(job.name)' has not run yet.")
                    return
                }
                for run in runs.prefix(limit) {
                    var reason = ""
                    if [.skipped, .failed, .stopped].contains(run.state), let error = try await catalog.runErrors(runID: run.id).first {
                        reason = ": \(error.message)"
                    }
                    StandardOutput.line(
                        "\(run.externalID)  \(run.state.rawValue)  \(printer.time(run.startedAt ?? run.createdAt))  "
                            + "\(Self.duration(of: run))  \(Self.trigger(of: run))  \(Self.summary(of: run))\(reason)")
                }
                if runs.count > limit { StandardOutput.line("... and \(runs.count - limit) earlier runs (--limit)") }
            }
        }

        /// How long the run took, or that it is still going.
        static func duration(of run: JobRun) -> String {
            guard let ended = run.endedAt else { return run.state == .queued ? "queued" : "running" }
            guard let started = run.startedAt else { return "-" }
            let seconds = max(0, Int(ended.timeIntervalSince(started).rounded()))
            if seconds >= 3600 { return "\(seconds / 3600)h \(seconds % 3600 / 60)m" }
            return seconds >= 60 ? "\(seconds / 60)m \(seconds % 60)s" : "\(seconds)s"
        }

        /// Who started the run: a person or script, the scheduler, or a retry.
        static func trigger(of run: JobRun) -> String {
            switch run.scheduledAttempt {
            case nil: "manual"
            case 1?: "scheduled"
            case let attempt?: "retry \(attempt - 1)"
            }
        }

        /// What the run did, in a few counters.
        static func summary(of run: JobRun) -> String {
            guard run.state != .skipped else { return "not started" }
            let counters = run.counters
            return "drives \(counters.drivesProcessed), files added \(counters.filesAdded), changed \(counters.filesChanged), "
                + "failed \(counters.itemsFailed), downloaded \(formattedBytes(counters.bytesDownloaded)), "
                + "new data \(formattedBytes(counters.bytesStored))"
        }
    }
}
