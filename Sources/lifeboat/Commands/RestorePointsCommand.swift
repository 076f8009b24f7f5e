import ArgumentParser
import Catalog
import Foundation
import LifeboatModel

/// `lifeboat restore-points ...`: the committed points in time.
struct RestorePointsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "restore-points", abstract: "Browse restore points.", subcommands: [List.self])

    /// `lifeboat restore-points list`.
    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List restore points, newest first.")

        @OptionGroup var settings: SettingsOptions
        @Option(help: "Only the restore points of this job (id or name).") var job: String?

        func run() async throws {
            try await LocalInstallation.with(settings, needsRepositoryPassword: false) { installation in
                var filter = RestorePointFilter()
                var names: [UUID: String] = [:]
                for job in try await installation.catalog.jobs() { names[job.id] = job.name }
                if let job { filter.jobID = try await installation.job(named: job).id }
                let points = try await installation.catalog.restorePoints(filter)
                let formatter = ISO8601DateFormatter()
                StandardOutput.line("ID                                    BACKUP TIME           JOB                       CONTENT")
                for point in points {
                    let content = [point.isOneDrive ? "OneDrive" : nil, point.isSharePoint ? "SharePoint" : nil]
                        .compactMap { $0 }.joined(separator: "+")
                    let jobName = (names[point.jobID] ?? point.jobID.uuidString).padding(toLength: 25, withPad: " ", startingAt: 0)
                    StandardOutput.line("\(point.id.uuidString.lowercased())  \(formatter.string(from: point.backupTime))  \(jobName) \(content)")
                }
                StandardOutput.line("\(points.count) restore point\(points.count == 1 ? "" : "s")")
            }
        }
    }
}
