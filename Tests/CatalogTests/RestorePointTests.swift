@testable import Catalog
import Foundation
import LifeboatModel
import LifeboatTestSupport
import Testing

@Suite("Catalog restore points")
struct RestorePointTests {
    @Test("filters by organization, job, repository and backup time, newest first, committed only")
    func filters() async throws {
        let catalog = try await SQLCatalog.openInMemory()
        let contoso = try await CatalogSeed.insert(into: catalog, name: "contoso")
        let fabrikam = try await CatalogSeed.insert(into: catalog, name: "fabrikam")
        let secondJob = BackupJob(
            organizationID: contoso.organization.id, repositoryID: contoso.repository.id, name: "weekly",
            scope: BackupScope(users: ["alice@contoso.com"]), createdAt: CatalogSeed.epoch
        )
        try await catalog.insertJob(secondJob)

        var committed: [RestorePoint] = []
        for (seed, job, minutes) in [
            (contoso, contoso.job, 10), (contoso, secondJob, 20), (fabrikam, fabrikam.job, 30),
            (contoso, contoso.job, 40), (fabrikam, fabrikam.job, 50),
        ] {
            let point = try await seed.begin(catalog, minutes: minutes, job: job)
            try await catalog.commitRestorePoint(id: point.id, deltaLinks: [:])
            committed.append(point)
        }
        _ = try await contoso.begin(catalog, minutes: 60)  // uncommitted: never listed

        func sequences(_ filter: RestorePointFilter) async throws -> [Int64] {
            try await catalog.restorePoints(filter).map(\.sequence)
        }
        let s = committed.map(\.sequence)
        #expect(try await sequences(.init()) == [s[4], s[3], s[2], s[1], s[0]])
        #expect(try await sequences(.init(organizationID: contoso.organization.id)) == [s[3], s[1], s[0]])
        #expect(try await sequences(.init(jobID: contoso.job.id)) == [s[3], s[0]])
        #expect(try await sequences(.init(repositoryID: fabrikam.repository.id)) == [s[4], s[2]])
        let after20 = CatalogSeed.epoch.addingTimeInterval(20 * 60)
        #expect(try await sequences(.init(backupTimeAfter: after20)) == [s[4], s[3], s[2]])
        #expect(try await sequences(.init(organizationID: contoso.organization.id, backupTimeAfter: after20)) == [s[3]])
        #expect(try await sequences(.init(organizationID: fabrikam.organization.id, jobID: contoso.job.id)).isEmpty)

        #expect(try await catalog.restorePoint(id: committed[1].id) == committed[1])
        #expect(try await catalog.restorePoint(id: UUID()) == nil)
        #expect(try await catalog.restorePoint(sequence: committed[1].sequence) == committed[1])
        #expect(try await catalog.restorePoint(sequence: committed.map(\.sequence).max()! + 1_000) == nil)
        try await catalog.shutdown()
    }

    @Test("latestRestorePoint picks the newest committed point at or before the time")
    func latest() async throws {
        let catalog = try await SQLCatalog.openInMemory()
        let seed = try await CatalogSeed.insert(into: catalog)
        let otherJob = BackupJob(
            organizationID: seed.organization.id, repositoryID: seed.repository.id, name: "other",
            scope: .entireOrganization, createdAt: CatalogSeed.epoch
        )
        try await catalog.insertJob(otherJob)
        let p10 = try await seed.begin(catalog, minutes: 10)
        try await catalog.commitRestorePoint(id: p10.id, deltaLinks: [:])
        let p20 = try await seed.begin(catalog, minutes: 20, job: otherJob)
        try await catalog.commitRestorePoint(id: p20.id, deltaLinks: [:])
        _ = try await seed.begin(catalog, minutes: 25)  // uncommitted

        let minute = { (m: Double) in CatalogSeed.epoch.addingTimeInterval(m * 60) }
        let organizationID = seed.organization.id
        #expect(try await catalog.latestRestorePoint(organizationID: organizationID, jobID: nil, notAfter: minute(9)) == nil)
        #expect(try await catalog.latestRestorePoint(organizationID: organizationID, jobID: nil, notAfter: minute(10)) == p10)
        #expect(try await catalog.latestRestorePoint(organizationID: organizationID, jobID: nil, notAfter: minute(19)) == p10)
        #expect(try await catalog.latestRestorePoint(organizationID: organizationID, jobID: nil, notAfter: minute(30)) == p20)
        #expect(try await catalog.latestRestorePoint(organizationID: organizationID, jobID: seed.job.id, notAfter: minute(30)) == p10)
        #expect(try await catalog.latestRestorePoint(organizationID: UUID(), jobID: nil, notAfter: minute(30)) == nil)
        try await catalog.shutdown()
    }

    @Test("restore point sequences are never reused after a discard")
    func sequencesMonotonic() async throws {
        try await TemporaryCatalog.with { catalog in
            let seed = try await CatalogSeed.insert(into: catalog)
            let first = try await seed.begin(catalog, minutes: 0)
            try await catalog.discardUncommittedRuns(jobID: seed.job.id)
            let second = try await seed.begin(catalog, minutes: 1)
            #expect(second.sequence > first.sequence)
        }
    }
}
