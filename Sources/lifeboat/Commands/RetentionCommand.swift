import ArgumentParser
import BackupEngine
import Catalog
import Foundation
import LifeboatModel

/// `lifeboat retention ...`: how long repositories keep restore points, and applying it.
struct RetentionCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "retention", abstract: "Set and apply how long repositories keep restore points.",
        subcommands: [Set.self, Apply.self])

    /// `lifeboat retention set`: a repository's policy.
    struct Set: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Set how long a repository keeps restore points (the newest point of each job always stays).")

        @OptionGroup var settings: SettingsOptions
        @Option(help: "The repository's name or id (default: the only one).") var repository: String?
        @Option(
            help: ArgumentHelp(
                "How long points are kept: a number of days, months or years (30d, 6m, 7y), or forever.", valueName: "period"))
        var keep: String

        func run() async throws {
            let policy = try Self.policy(keep)
            try await LocalInstallation.with(settings, needsRepositoryPassword: false) { installation in
                let record = try await installation.repositoryRecords.resolve(repository).record
                guard try await installation.catalog.repositories().contains(where: { $0.id == record.id }) else {
                    throw CommandFailure("Repository '\(record.name)' is not registered; `lifeboat repo init` registers it.")
                }
                try await installation.catalog.setRepositoryRetention(id: record.id, policy)
                StandardOutput.line(
                    "Repository '\(record.name)' keeps restore points \(policy.keep == .forever ? "" : "for ")\(policy.summary). "
                        + "`lifeboat retention apply --dry-run` shows what would expire now.")
            }
        }

        /// `30d`, `6m`, `7y` or `forever` as a policy; a refusal naming the option otherwise.
        static func policy(_ text: String) throws -> RetentionPolicy {
            let lowered = text.lowercased().trimmingCharacters(in: .whitespaces)
            if lowered == "forever", let forever = RetentionPolicy(keep: .forever) { return forever }
            guard let unit = lowered.last, let count = Int(lowered.dropLast()) else {
                throw ValidationError("--keep takes a number of days, months or years (30d, 6m, 7y) or forever, not '\(text)'.")
            }
            let period: RetentionPolicy.Period? = switch unit {
            case "d": .days(count)
            case "m": .months(count)
            case "y": .years(count)
            default: nil
            }
            guard let period, let policy = RetentionPolicy(keep: period) else {
                throw ValidationError("--keep takes a positive number of days, months or years (30d, 6m, 7y) or forever, not '\(text)'.")
            }
            return policy
        }
    }

    /// `lifeboat retention apply`: expires what each repository's policy says.
    struct Apply: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Expire the restore points each repository's policy no longer keeps; prune then frees their data.")

        @OptionGroup var settings: SettingsOptions
        @Flag(help: "Only show what would expire, in points, item versions and bytes.") var dryRun = false

        func run() async throws {
            try await LocalInstallation.with(settings, needsRepositoryPassword: false) { installation in
                let results = try await RetentionRunner(catalog: installation.catalog, logger: installation.logger)
                    .apply(dryRun: dryRun)
                guard !results.isEmpty else {
                    StandardOutput.line("No repository has a retention policy: everything is kept (`lifeboat retention set`).")
                    return
                }
                let jobs = Dictionary(uniqueKeysWithValues: try await installation.catalog.jobs().map { ($0.id, $0.name) })
                for result in results {
                    let verb = dryRun ? "would expire" : "expired"
                    let cutoff = result.cutoff.map { " (backed up before \($0.formatted(.iso8601)))" } ?? ""
                    StandardOutput.line(
                        "Repository '\(result.repository.name)', keeping \(result.policy.summary): \(verb) \(result.pointsExpired) "
                            + "restore point\(result.pointsExpired == 1 ? "" : "s")\(cutoff), \(result.versionsRemoved) item "
                            + "versions, \(formattedBytes(result.bytesRemoved)) of content before deduplication")
                    for outcome in result.outcomes where outcome.pointsExpired > 0 || outcome.heldBySession {
                        var line = "  \(jobs[outcome.jobID] ?? outcome.jobID.uuidString): \(outcome.pointsExpired) points"
                        if let oldest = outcome.oldestKept { line += ", oldest kept \(oldest.formatted(.iso8601))" }
                        if outcome.heldBySession { line += "; an open restore session holds an older point, which stays" }
                        StandardOutput.line(line)
                    }
                }
                if !dryRun, results.contains(where: { $0.versionsRemoved > 0 }) {
                    StandardOutput.line("Run `lifeboat repo prune` to free the space their data took.")
                }
            }
        }
    }
}
