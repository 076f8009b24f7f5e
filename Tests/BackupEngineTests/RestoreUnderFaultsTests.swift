import BackupEngine
import Catalog
import Foundation
import LifeboatModel
import LifeboatTestSupport
import M365Graph
import M365Simulator
import Testing

/// Restores while Graph fails uploads the ways it does (sessions that expire, fragments refused or cut off, answers
/// lost, server errors), and the throttle every run of an organization shares.
@Suite("Restore under upload faults")
struct RestoreUnderFaultsTests {
    /// One OneDrive with small files, a folder, and one file of 4–5 MiB (seven or eight of the fixture's 640 KiB fragments).
    static let spec = TenantSpec(
        seed: 41, userCount: 1, teamSiteCount: 0, communicationSiteCount: 0, subsitesPerSite: 0, foldersPerDrive: 2,
        maxFolderDepth: 1, filesPerDrive: 6, maxFileSize: 200 << 10, largeFileCount: 1, maxVersions: 1)

    /// Sizes of the files added above the fixture's 256 KiB simple-upload limit: one fragment, two, three (the last
    /// short), and four whole fragments.
    static let sessionFileSizes = [300 << 10, 1_000_000, 1_500_000, 4 * 655_360]

    /// Adds the session-sized files to the drive's root, with bytes that differ from file to file.
    private func addSessionFiles(to tenant: SimulatedTenant, driveID: String) async throws {
        let root = try #require(await tenant.item(driveID: driveID, path: ""))
        for (index, size) in Self.sessionFileSizes.enumerated() {
            let bytes = (0..<size).map { UInt8(truncatingIfNeeded: ($0 >> 8) &* 131 &+ $0 &* 7 &+ index) }
            _ = try await tenant.createFile(driveID: driveID, parentID: root.id, name: "Session file \(index).bin", bytes: bytes)
        }
    }

    /// A kind of upload fault, with the plan that injects it.
    enum UploadFault: String, CaseIterable, CustomTestStringConvertible {
        case expiringSessions
        case rejectedFragments
        case droppedUploads
        case serverErrors

        var testDescription: String { rawValue }

        var plan: FaultPlan {
            var plan = FaultPlan(seed: 31)
            switch self {
            case .expiringSessions:
                // Up to two sessions of a file expire in a row: the uploader's two restarts are all needed at times.
                plan.expiredUploadSessionShare = 0.6
                plan.uploadSessionExpiresAfterFragments = 1
                plan.expiringUploadSessionsInARow = 2
            case .rejectedFragments:
                plan.rejectedFragmentShare = 0.3
            case .droppedUploads:
                plan.droppedUploadShare = 0.3
            case .serverErrors:
                plan.uploadServerErrorShare = 0.3
            }
            return plan
        }
    }

    @Test("files restored through failing uploads arrive byte for byte, overwriting (replace) and after deletion (fail)",
        arguments: UploadFault.allCases)
    func restoreUnder(_ fault: UploadFault) async throws {
        try await BackupFixture.with(Self.spec, configure: { $0.faults = fault.plan }) { fixture in
            let tenant = fixture.simulator.tenant
            let drive = try #require(await tenant.drives().first { $0.kind == .business })
            try await addSessionFiles(to: tenant, driveID: drive.id)
            let backedUp = await LiveTree.capture(tenant, driveID: drive.id)
            let sessionFiles = backedUp.files.filter { $0.value.bytes.count > 256 << 10 }
            #expect(sessionFiles.count == 5 && sessionFiles.values.contains { $0.bytes.count > 4 << 20 })
            _ = try await fixture.backUp()
            let point = try #require(try await fixture.catalog.restorePoints(RestorePointFilter(jobID: fixture.job.id)).first)
            let selection = RestoreSelection(jobID: fixture.job.id, restorePointSequence: point.sequence, driveID: drive.id, itemIDs: nil)

            // Every file edited after the backup: the restore replaces each with a new version.
            for (path, file) in backedUp.files {
                try await tenant.updateContent(driveID: drive.id, itemID: file.id, bytes: Array("edited \(path)".utf8))
            }
            let overwrite = try await fixture.restoreRunner.runNow(
                RestoreRequest(organizationID: fixture.organization.id, selections: [selection], documentAction: .overwrite))
            let overwriteErrors = try await fixture.catalog.runErrors(runID: overwrite.id).map(\.message)
            #expect(overwrite.state == .succeeded && overwrite.counters.itemsFailed == 0, "\(overwriteErrors)")
            #expect(overwrite.counters.bytesUploaded == backedUp.files.values.reduce(Int64(0)) { $0 + Int64($1.bytes.count) })
            let afterOverwrite = await LiveTree.capture(tenant, driveID: drive.id)
            for (path, file) in backedUp.files {
                let same = afterOverwrite.files[path]?.bytes == file.bytes
                #expect(same, "\(path) replaced byte for byte")
            }
            // Sessions never commit a file twice: the backed-up version sits once on top of the edit.
            for (path, file) in sessionFiles {
                let versions = await tenant.versionContents(driveID: drive.id, itemID: file.id).map(\.bytes)
                #expect(versions.count == 3 && versions.last == file.bytes, "\(path): original, edit, restore")
            }

            // Every file deleted: the restore recreates each under its name with conflict behaviour fail.
            for file in backedUp.files.values { try await tenant.delete(driveID: drive.id, itemID: file.id) }
            let recreate = try await fixture.restoreRunner.runNow(
                RestoreRequest(organizationID: fixture.organization.id, selections: [selection], documentAction: .keep))
            let recreateErrors = try await fixture.catalog.runErrors(runID: recreate.id).map(\.message)
            #expect(recreate.state == .succeeded && recreate.counters.itemsFailed == 0, "\(recreateErrors)")
            let afterRecreate = await LiveTree.capture(tenant, driveID: drive.id)
            #expect(Set(afterRecreate.files.keys) == Set(backedUp.files.keys), "each file once, under its own name")
            for (path, file) in backedUp.files {
                let same = afterRecreate.files[path]?.bytes == file.bytes
                #expect(same, "\(path) recreated byte for byte")
            }

            let log = await fixture.simulator.requestLog.entries()
            let sessionsOpened = log.filter { $0.path.hasSuffix("/createUploadSession") && $0.status == 200 }.count
            let statusChecks = log.filter { $0.method == "GET" && $0.path.hasPrefix("/upload/") }.count
            switch fault {
            case .expiringSessions:
                #expect(log.contains { $0.fault == .expiredUploadSession && $0.status == 404 })
                #expect(sessionsOpened > 2 * sessionFiles.count, "expired sessions were replaced by new ones")
            case .rejectedFragments:
                let rejected = log.filter { $0.fault == .rejectedFragment }.count
                #expect(rejected > 0)
                #expect(statusChecks >= rejected, "each 416 is followed by asking the session where to resume")
            case .droppedUploads:
                #expect(log.contains { $0.fault == .droppedUpload(stored: true) })
                #expect(log.contains { $0.fault == .droppedUpload(stored: false) })
                #expect(statusChecks > 0)
                let committedUnanswered = log.indices.contains { index in
                    log[index].fault == .droppedUpload(stored: true) && log[index].path.hasPrefix("/upload/")
                        && log[(index + 1)...].contains { $0.method == "GET" && $0.path == log[index].path && $0.status == 404 }
                }
                #expect(committedUnanswered, "a last fragment that committed the file but lost its answer was recognised")
            case .serverErrors:
                let failedUploads = log.filter { entry in
                    if case .serverError = entry.fault { entry.method != "GET" } else { false }
                }
                #expect(failedUploads.contains { $0.path.hasPrefix("/upload/") })
                #expect(failedUploads.contains { $0.path.hasSuffix("/content") })
                #expect(statusChecks > 0)
            }
        }
    }

    @Test("two runs' clients of one organization share the tenant's pause and its token")
    func runsShareTheThrottle() async throws {
        var plan = FaultPlan(seed: 32)
        // One request per window: the second call of the window is throttled until the window ends.
        plan.requestBudget = FaultPlan.RequestBudget(requests: 1, window: .seconds(3))
        try await BackupFixture.with(Self.spec, configure: { $0.faults = plan }) { fixture in
            // Clients that give up on their first 429, so only a shared pause lets the third call through.
            let connector = CatalogGraphConnector(
                catalog: fixture.catalog, httpClient: fixture.httpClient,
                retryPolicy: GraphClient.RetryPolicy(maxAttempts: 3, initialBackoff: .milliseconds(5), maxThrottledRetries: 0),
                logger: .quiet("test"))
            let backupRun = try await connector.graph(for: fixture.organization)
            let restoreRun = try await connector.graph(for: fixture.organization)

            _ = try await backupRun.users()
            let refused = await #expect(throws: GraphError.self) { _ = try await restoreRun.users() }
            guard case .throttled? = refused else {
                Issue.record("the second run's call was not throttled: \(String(describing: refused))")
                return
            }
            let users = try await backupRun.users()
            #expect(users.count == 1)

            let log = await fixture.simulator.requestLog.entries()
            #expect(log.filter { $0.path == "/v1.0/users" }.map(\.status) == [200, 429, 200])
            #expect(log.filter { $0.path.hasSuffix("/oauth2/v2.0/token") }.count == 1, "one sign-in for both runs")

            // A new secret in the catalog means a new sign-in, not the old secret's token.
            try await fixture.catalog.setGraphSecret("rotated-but-wrong", organizationID: fixture.organization.id)
            let rotated = try await connector.graph(for: fixture.organization)
            await #expect(throws: GraphError.self) { _ = try await rotated.users() }
        }
    }
}
