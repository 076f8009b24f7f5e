@testable import Catalog
import Crypto
import Foundation
import LifeboatModel
import LifeboatTestSupport
import SQLKit
import Logging
import Testing

@Suite("Catalog entities")
struct EntityTests {
    let epoch = CatalogSeed.epoch

    @Test("organizations, repositories and jobs round-trip and update")
    func organizationsRepositoriesJobs() async throws {
        let catalog = try await SQLCatalog.openInMemory()
        let seed = try await CatalogSeed.insert(into: catalog, name: "fabrikam")
        let other = try await CatalogSeed.insert(into: catalog, name: "adatum")

        #expect(try await catalog.organizations() == [other.organization, seed.organization])
        #expect(try await catalog.organization(id: seed.organization.id) == seed.organization)
        #expect(try await catalog.organization(id: UUID()) == nil)
        #expect(try await catalog.repositories() == [other.repository, seed.repository])
        #expect(try await catalog.repository(id: seed.repository.id) == seed.repository)
        #expect(try await catalog.jobs().map(\.id) == [other.job.id, seed.job.id])
        #expect(try await catalog.job(id: seed.job.id) == seed.job)

        let lastRun = epoch.addingTimeInterval(3600)
        try await catalog.updateJobStatus(id: seed.job.id, lastRun: lastRun, lastStatus: .warning)
        let updated = try #require(try await catalog.job(id: seed.job.id))
        #expect(updated.lastRun == lastRun)
        #expect(updated.lastStatus == .warning)
        #expect(updated.scope == .entireOrganization)
        await #expect(throws: CatalogError.self) {
            try await catalog.updateJobStatus(id: UUID(), lastRun: nil, lastStatus: .failed)
        }
        try await catalog.shutdown()
    }

    @Test("a job referring to an unknown organization is rejected by a foreign key")
    func foreignKeysEnforced() async throws {
        let catalog = try await SQLCatalog.openInMemory()
        let job = BackupJob(organizationID: UUID(), repositoryID: UUID(), name: "orphan", scope: .entireOrganization)
        await #expect(throws: (any Error).self) { try await catalog.insertJob(job) }
        #expect(try await catalog.jobs().isEmpty)
        try await catalog.shutdown()
    }

    @Test("runs round-trip by id and external id, update, list newest first and count by kind and state")
    func runs() async throws {
        let catalog = try await SQLCatalog.openInMemory()
        let seed = try await CatalogSeed.insert(into: catalog)
        let organizationID = seed.organization.id
        var backup = JobRun(
            externalID: "FB20241015105312327583", jobID: seed.job.id, organizationID: organizationID, kind: .backup,
            createdAt: epoch
        )
        let restore1 = JobRun(externalID: "R1", jobID: nil, organizationID: organizationID, kind: .restore,
                              state: .running, createdAt: epoch, request: #"{"items":[]}"#)
        let restore2 = JobRun(externalID: "R2", jobID: nil, organizationID: organizationID, kind: .restore,
                              state: .queued, createdAt: epoch)
        let export = JobRun(externalID: "E1", jobID: nil, organizationID: organizationID, kind: .export,
                            state: .running, createdAt: epoch)
        let finished = JobRun(externalID: "E2", jobID: nil, organizationID: organizationID, kind: .export,
                              state: .succeeded, createdAt: epoch)
        for run in [backup, restore1, restore2, export, finished] {
            try await catalog.insertRun(run)
        }
        let later = JobRun(externalID: "IB2", jobID: seed.job.id, organizationID: organizationID, kind: .backup,
                           createdAt: epoch.addingTimeInterval(60))
        try await catalog.insertRun(later)

        #expect(try await catalog.run(id: restore1.id) == restore1)
        #expect(try await catalog.run(externalID: "FB20241015105312327583") == backup)
        #expect(try await catalog.run(externalID: "nope") == nil)
        #expect(try await catalog.runs(jobID: seed.job.id).map(\.externalID) == ["IB2", "FB20241015105312327583"])

        backup.state = .warning
        backup.startedAt = epoch.addingTimeInterval(1)
        backup.endedAt = epoch.addingTimeInterval(2)
        backup.counters.filesAdded = 7
        backup.counters.bytesDownloaded = 1_234_567
        try await catalog.updateRun(backup)
        #expect(try await catalog.run(id: backup.id) == backup)

        let active = try await catalog.countRuns(
            organizationID: organizationID, kinds: [.restore, .export], states: [.running, .queued]
        )
        #expect(active == 3)
        #expect(try await catalog.countRuns(organizationID: organizationID, kinds: [.export], states: [.running]) == 1)
        #expect(try await catalog.countRuns(organizationID: organizationID, kinds: [], states: [.running]) == 0)
        #expect(try await catalog.countRuns(organizationID: UUID(), kinds: [.restore], states: [.running]) == 0)

        await #expect(throws: (any Error).self) { try await catalog.insertRun(JobRun(
            externalID: "R1", jobID: nil, organizationID: organizationID, kind: .restore
        )) }
        try await catalog.shutdown()
    }

    @Test("run errors keep their order and summarise by message, most frequent first")
    func runErrors() async throws {
        let catalog = try await SQLCatalog.openInMemory()
        let seed = try await CatalogSeed.insert(into: catalog)
        let run = JobRun(externalID: "FB1", jobID: seed.job.id, organizationID: seed.organization.id, kind: .backup)
        try await catalog.insertRun(run)
        let messages = ["Access denied", "Item not found", "Access denied", "Throttled", "Throttled", "Access denied"]
        let errors = messages.enumerated().map { index, message in
            RunError(message: message, itemPath: "Drive/f\(index).txt", occurredAt: epoch.addingTimeInterval(Double(index)))
        }
        try await catalog.appendRunErrors(Array(errors.prefix(4)), runID: run.id)
        try await catalog.appendRunErrors(Array(errors.dropFirst(4)), runID: run.id)

        #expect(try await catalog.runErrors(runID: run.id) == errors)
        #expect(try await catalog.runErrorSummary(runID: run.id) == [
            RunErrorSummary(message: "Access denied", count: 3),
            RunErrorSummary(message: "Throttled", count: 2),
            RunErrorSummary(message: "Item not found", count: 1),
        ])
        #expect(try await catalog.runErrorSummary(runID: UUID()).isEmpty)
        try await catalog.shutdown()
    }

    @Test("drives upsert and list per organization")
    func drives() async throws {
        let catalog = try await SQLCatalog.openInMemory()
        let seed = try await CatalogSeed.insert(into: catalog)
        var library = ProtectedDrive(
            driveID: "b!lib", organizationID: seed.organization.id, kind: .documentLibrary, name: "Documents",
            webURL: "https://contoso.sharepoint.com/sites/Finance/Shared%20Documents", siteID: "host,site,web",
            siteURL: "https://contoso.sharepoint.com/sites/Finance", siteTitle: "Finance"
        )
        let oneDrive = ProtectedDrive(
            driveID: "b!alice", organizationID: seed.organization.id, kind: .oneDrive, name: "Alice OneDrive",
            webURL: "https://contoso-my.sharepoint.com/personal/alice", ownerUPN: "alice@contoso.com",
            ownerDisplayName: "Alice"
        )
        try await catalog.upsertDrive(library)
        try await catalog.upsertDrive(oneDrive)
        library.name = "Finance Documents"
        library.siteTitle = "Finance Team"
        try await catalog.upsertDrive(library)

        #expect(try await catalog.drives(organizationID: seed.organization.id) == [oneDrive, library])
        #expect(try await catalog.drive(id: "b!lib") == library)
        #expect(try await catalog.drive(id: "b!none") == nil)
        #expect(try await catalog.drives(organizationID: UUID()).isEmpty)
        try await catalog.shutdown()
    }

    @Test("restore sessions and their events round-trip in order")
    func restoreSessions() async throws {
        let catalog = try await SQLCatalog.openInMemory()
        let seed = try await CatalogSeed.insert(into: catalog)
        var session = RestoreSession(
            organizationID: seed.organization.id, jobID: seed.job.id, kind: .oneDrive, requestedTime: epoch,
            restorePointSequence: 4, showDeleted: true, showAllVersions: false, initiatedBy: "admin",
            name: "OneDrive restore", createdAt: epoch
        )
        let second = RestoreSession(
            organizationID: seed.organization.id, jobID: nil, kind: .sharePoint, requestedTime: epoch,
            restorePointSequence: nil, showDeleted: false, showAllVersions: true, initiatedBy: "app",
            name: "SharePoint restore", createdAt: epoch.addingTimeInterval(10)
        )
        try await catalog.insertRestoreSession(session)
        try await catalog.insertRestoreSession(second)
        session.state = .stopped
        session.result = .warning
        session.endedAt = epoch.addingTimeInterval(99)
        try await catalog.updateRestoreSession(session)
        #expect(try await catalog.restoreSession(id: session.id) == session)
        #expect(try await catalog.restoreSessions() == [session, second])

        let events = (0..<3).reversed().map { order in
            RestoreSessionEvent(
                sessionID: session.id, order: order, type: "restore", status: order == 1 ? .failed : .success,
                title: "Item \(order)", message: "done", itemName: "f\(order).txt", itemType: "file",
                itemSizeBytes: Int64(order * 100), source: "/Docs", target: "/Restored", startTime: epoch,
                endTime: order == 2 ? nil : epoch.addingTimeInterval(1)
            )
        }
        try await catalog.appendRestoreSessionEvents(events)
        // Positions are the catalog's, in the order appended, whatever order the events carried.
        var expected = events
        for index in expected.indices { expected[index].order = index }
        #expect(try await catalog.restoreSessionEvents(sessionID: session.id) == expected)
        #expect(try await catalog.restoreSessionEvents(sessionID: second.id).isEmpty)
        // A second writer's events (another restore into the same session) follow, never sharing a position.
        let later = RestoreSessionEvent(
            sessionID: session.id, order: 0, type: "restore", status: .success, title: "Later", message: "done", startTime: epoch)
        let other = RestoreSessionEvent(
            sessionID: second.id, order: 7, type: "restore", status: .success, title: "Other", message: "done", startTime: epoch)
        try await catalog.appendRestoreSessionEvents([later, other])
        #expect(try await catalog.restoreSessionEvents(sessionID: session.id).map(\.order) == [0, 1, 2, 3])
        #expect(try await catalog.restoreSessionEvents(sessionID: second.id).map(\.order) == [0])
        #expect(try await catalog.restoreSessionEvents(sessionID: session.id, offset: 2, limit: 5).map(\.title) == ["Item 0", "Later"])
        #expect(try await catalog.restoreSessionEventCount(sessionID: session.id) == 4)
        try await catalog.shutdown()
    }

    @Test("principals are found by name with their hash; tokens are valid until they expire")
    func principalsAndTokens() async throws {
        let catalog = try await SQLCatalog.openInMemory()
        let principal = Principal(name: "admin", kind: .user, scopes: ["admin", "backup.read"], createdAt: epoch)
        let credential = StoredCredential(principal: principal, secretHash: "$pbkdf2-sha256$i=600000$c2FsdA$ZGlnZXN0")
        try await catalog.insertPrincipal(credential)
        #expect(try await catalog.credential(name: "admin") == credential)
        #expect(try await catalog.credential(name: "nobody") == nil)
        #expect(try await catalog.principal(id: principal.id) == principal)
        await #expect(throws: (any Error).self) {
            try await catalog.insertPrincipal(StoredCredential(
                principal: Principal(name: "admin", kind: .application, scopes: []), secretHash: "x"
            ))
        }

        let expiry = epoch.addingTimeInterval(3600)
        let token = IssuedToken(tokenHash: "ab12", principalID: principal.id, isRefresh: false, issuedAt: epoch, expiresAt: expiry)
        let refresh = IssuedToken(tokenHash: "cd34", principalID: principal.id, isRefresh: true, issuedAt: epoch,
                                  expiresAt: epoch.addingTimeInterval(86_400))
        try await catalog.insertToken(token)
        try await catalog.insertToken(refresh)
        #expect(try await catalog.validToken(hash: "ab12", now: epoch) == token)
        #expect(try await catalog.validToken(hash: "ab12", now: expiry.addingTimeInterval(-0.001)) == token)
        #expect(try await catalog.validToken(hash: "ab12", now: expiry) == nil)
        #expect(try await catalog.validToken(hash: "ffff", now: epoch) == nil)
        #expect(try await catalog.deleteExpiredTokens(now: expiry) == 1)
        #expect(try await catalog.validToken(hash: "cd34", now: expiry) == refresh)
        try await catalog.deleteToken(hash: "cd34")
        #expect(try await catalog.validToken(hash: "cd34", now: epoch) == nil)
        try await catalog.shutdown()
    }

    @Test("the Graph secret round-trips, is not stored in plaintext and needs the catalog's key")
    func graphSecret() async throws {
        let temporary = try await TemporaryCatalog.make()
        let seed = try await CatalogSeed.insert(into: temporary.catalog)
        let secret = "s3cr3t~Graph.Client_Secret-Value"
        #expect(try await temporary.catalog.graphSecret(organizationID: seed.organization.id) == nil)
        try await temporary.catalog.setGraphSecret(secret, organizationID: seed.organization.id)
        #expect(try await temporary.catalog.graphSecret(organizationID: seed.organization.id) == secret)

        let raw = try await temporary.catalog.database.read { db in
            try await db.raw("SELECT graph_secret_sealed FROM organizations").first()?.bytes("graph_secret_sealed")
        }
        let stored = try #require(raw)
        #expect(stored.count == 12 + secret.utf8.count + 16)
        #expect(stored.range(of: Data(secret.utf8)) == nil)
        #expect(stored.range(of: Data("s3cr3t".utf8)) == nil)
        await #expect(throws: CatalogError.notFound("Organization \(UUID(uuid: (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)))")) {
            try await temporary.catalog.setGraphSecret("x", organizationID: UUID(uuid: (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)))
        }
        try await temporary.catalog.shutdown()

        let wrongKey = try await SQLCatalog.openSQLite(
            path: temporary.path, secretKey: SymmetricKey(data: Data(repeating: 1, count: 32)), logger: Logger(label: "test")
        )
        await #expect(throws: CatalogError.secretUnreadable(organizationID: seed.organization.id)) {
            try await wrongKey.graphSecret(organizationID: seed.organization.id)
        }
        try await wrongKey.shutdown()
        try FileManager.default.removeItem(at: temporary.directory)
    }

    @Test("a key that is not 256 bits is refused")
    func shortKeyRefused() async throws {
        await #expect(throws: CatalogError.self) {
            try await SQLCatalog.openInMemory(secretKey: SymmetricKey(size: .bits128))
        }
    }
}

@Suite("Organizations keep their cloud and Graph budget")
struct OrganizationCloudTests {
    @Test("cloud and budget round-trip; a custom organization stays unpaced")
    func cloudAndBudgetRoundTrip() async throws {
        let catalog = try await SQLCatalog.openInMemory()
        let created = CatalogSeed.epoch
        let china = Organization(
            name: "fabrikam.partner.onmschina.cn", tenantID: "t1", clientID: "c1", cloud: .china, resourceUnitsPerMinute: 3_750,
            createdAt: created)
        let gov = Organization(name: "adatum.onmicrosoft.us", tenantID: "t2", clientID: "c2", cloud: .usGovernment, createdAt: created)
        let simulated = Organization(
            name: "contoso.onmicrosoft.com", tenantID: "t3", clientID: "c3", loginBaseURL: "http://127.0.0.1:1",
            graphBaseURL: "http://127.0.0.1:1/v1.0", createdAt: created)
        for organization in [china, gov, simulated] { try await catalog.insertOrganization(organization) }

        let readChina = try #require(try await catalog.organization(id: china.id))
        #expect(readChina == china)
        #expect(readChina.cloud == .china && readChina.graphBaseURL == "https://microsoftgraph.chinacloudapi.cn/v1.0")
        #expect(readChina.effectiveResourceUnitsPerMinute == 3_750)
        let readGov = try #require(try await catalog.organization(id: gov.id))
        #expect(readGov.cloud == .usGovernment && readGov.loginBaseURL == "https://login.microsoftonline.us")
        #expect(readGov.effectiveResourceUnitsPerMinute == 1_250)
        let readSimulated = try #require(try await catalog.organization(id: simulated.id))
        #expect(readSimulated.cloud == .custom && readSimulated.resourceUnitsPerMinute == nil)
        #expect(readSimulated.effectiveResourceUnitsPerMinute == nil)
        try await catalog.shutdown()
    }
}
