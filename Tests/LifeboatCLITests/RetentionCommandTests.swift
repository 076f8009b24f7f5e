@testable import Catalog
import Foundation
import LifeboatModel
import LifeboatTestSupport
import M365Simulator
import SQLKit
import Testing

/// `lifeboat retention set|apply` as an admin runs them, on real backups whose first point is made old.
@Suite("lifeboat retention: set a repository's policy, see what would expire, expire it, prune")
struct RetentionCommandTests {
    @Test("a point older than the policy expires (a dry run first shows it), leaves the listing, and prune and check stay clean")
    func expiresOldPoints() async throws {
        let simulator = try await RunningSimulator.start(SimulatorConfiguration(tenant: .small(seed: 5)), logger: .quiet("test"))
        let user = try #require(await simulator.tenant.users().first)
        try await CLIInstallation.with(simulator, jobs: ["daily": BackupScope(users: [user.upn])]) { installation in
            let drive = try #require(await simulator.tenant.drives().first { $0.id == user.driveID })
            let file = try await simulator.tenant.createFile(
                driveID: drive.id, parentID: drive.rootItemID, name: "Retention plan.txt", bytes: Array("first draft".utf8))
            _ = try await installation.run(["backup", "run", "--job", "daily"])
            try await simulator.tenant.updateContent(driveID: drive.id, itemID: file.id, bytes: Array("second draft".utf8))
            _ = try await installation.run(["backup", "run", "--job", "daily"])
            #expect(try await installation.run(["retention", "apply"]).contains("No repository has a retention policy"))

            let refused = await installation.failure(["retention", "set", "--repository", "vault", "--keep", "0d"])
            #expect(refused.contains("--keep"), "\(refused)")
            let set = try await installation.run(["retention", "set", "--repository", "vault", "--keep", "30d"])
            #expect(set.contains("keeps restore points for 30 days"), "\(set)")

            // The first backup happened 40 days ago, as far as the catalog knows.
            try await installation.withCatalog { catalog in
                let points = try await catalog.restorePoints(RestorePointFilter()).sorted { $0.sequence < $1.sequence }
                let aged = Date().addingTimeInterval(-40 * 86_400).catalogMilliseconds
                try await catalog.database.write { db in
                    try await db.raw("UPDATE restore_points SET backup_time = \(bind: aged) WHERE sequence = \(bind: points[0].sequence)").run()
                }
            }
            let dryRun = try await installation.run(["retention", "apply", "--dry-run"])
            #expect(dryRun.contains("would expire 1 restore point"), "\(dryRun)")
            #expect(try await installation.withCatalog { try await $0.restorePoints(RestorePointFilter()).count } == 2)

            let applied = try await installation.run(["retention", "apply"])
            #expect(applied.contains("expired 1 restore point"), "\(applied)")
            #expect(!applied.contains(" 0 item versions"), "the first draft is in no kept point: \(applied)")
            #expect(applied.contains("lifeboat repo prune"), "\(applied)")
            #expect(try await installation.withCatalog { try await $0.restorePoints(RestorePointFilter()).count } == 1)
            let listed = try await installation.run(["restore-points", "list", "--job", "daily"])
            #expect(listed.contains("1 restore point"), "\(listed)")

            _ = try await installation.run(["repo", "prune", "--repository", "vault"])
            #expect(try await installation.run(["repo", "check", "--repository", "vault", "--read-data"]).contains("No problems found"))
        }
    }
}
