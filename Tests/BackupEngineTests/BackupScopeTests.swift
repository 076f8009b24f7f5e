import BackupEngine
import Catalog
import Foundation
import LifeboatModel
import LifeboatTestSupport
import M365Simulator
import Testing

/// Jobs that select some users or some sites back up those drives and nothing else.
@Suite("Backup scopes")
struct BackupScopeTests {
    /// Three users; two site collections, each with two subsites and two libraries per site.
    static let spec = TenantSpec(
        seed: 33, userCount: 3, teamSiteCount: 1, communicationSiteCount: 1, subsitesPerSite: 2, librariesPerSite: 2,
        foldersPerDrive: 1, maxFolderDepth: 1, filesPerDrive: 2, maxFileSize: 4 << 10, largeFileCount: 0, maxVersions: 1)

    /// The drives the catalog holds rows for at the job's only restore point, and the drives delta was asked about.
    struct Coverage: Equatable {
        var cataloged: Set<String>
        var enumerated: Set<String>
    }

    @Test("a job of selected users backs up exactly their OneDrives", arguments: [[1], [0, 2]])
    func selectedUsers(userIndexes: [Int]) async throws {
        let users = await SimulatedTenant(spec: Self.spec).users()
        let selected = userIndexes.map { users[$0] }
        try await BackupFixture.with(Self.spec, scope: BackupScope(users: selected.map(\.upn))) { fixture in
            let run = try await fixture.backUp()
            #expect(run.state == .succeeded)
            let expected = Set(selected.map(\.driveID))
            #expect(try await coverage(fixture) == Coverage(cataloged: expected, enumerated: expected))
            let protected = try await fixture.catalog.drives(organizationID: fixture.organization.id)
            #expect(Set(protected.map(\.ownerUPN)) == Set(selected.map(\.upn)))
            #expect(protected.allSatisfy { $0.kind == .oneDrive })
            let point = try #require(try await fixture.catalog.restorePoints(RestorePointFilter(jobID: fixture.job.id)).first)
            #expect(point.isOneDrive && !point.isSharePoint)
            try await expectFilesStored(fixture, point: point, drives: expected)
        }
    }

    @Test("a job of one site URL backs up its libraries and its subsites' libraries, not other sites'", arguments: [0, 1, 3])
    func selectedSite(siteIndex: Int) async throws {
        let sites = await SimulatedTenant(spec: Self.spec).sites()
        let site = sites[siteIndex]
        var family: Set<String> = [site.id]
        var grew = true
        while grew {
            let children = sites.filter { $0.parentSiteID.map(family.contains) ?? false }.map(\.id)
            grew = !Set(children).isSubset(of: family)
            family.formUnion(children)
        }
        let expected = Set(sites.filter { family.contains($0.id) }.flatMap(\.driveIDs))
        try await BackupFixture.with(Self.spec, scope: BackupScope(sites: [site.url])) { fixture in
            let run = try await fixture.backUp()
            #expect(run.state == .succeeded)
            #expect(try await coverage(fixture) == Coverage(cataloged: expected, enumerated: expected))
            #expect(expected.count == (site.parentSiteID == nil ? 2 * 3 : 2))
            let point = try #require(try await fixture.catalog.restorePoints(RestorePointFilter(jobID: fixture.job.id)).first)
            #expect(!point.isOneDrive && point.isSharePoint)
            try await expectFilesStored(fixture, point: point, drives: expected)
        }
    }

    @Test("a user without a OneDrive is reported and the rest of the scope is still backed up")
    func unknownUserIsReported() async throws {
        let user = try #require(await SimulatedTenant(spec: Self.spec).users().first)
        let missing = "nobody@\(Self.spec.domain).onmicrosoft.com"
        try await BackupFixture.with(Self.spec, scope: BackupScope(users: [missing, user.upn])) { fixture in
            let run = try await fixture.backUp()
            #expect(run.state == .warning)
            #expect(run.counters.itemsFailed == 1)
            let errors = try await fixture.catalog.runErrors(runID: run.id)
            #expect(errors.map(\.itemPath) == [missing])
            #expect(try await coverage(fixture) == Coverage(cataloged: [user.driveID], enumerated: [user.driveID]))
        }
    }

    @Test("a job none of whose named users and sites exist backs up nothing: the run fails and makes no restore point")
    func nothingResolvedFails() async throws {
        let site = try #require(await SimulatedTenant(spec: Self.spec).sites().first)
        let missingUser = "nobody@\(Self.spec.domain).onmicrosoft.com"
        let missingSite = site.url + "-gone"
        try await BackupFixture.with(Self.spec, scope: BackupScope(users: [missingUser], sites: [missingSite])) { fixture in
            let run = try await fixture.backUp()
            #expect(run.state == .failed)
            #expect(try await fixture.catalog.restorePoints(RestorePointFilter(jobID: fixture.job.id)).isEmpty)
            #expect(try await fixture.catalog.job(id: fixture.job.id)?.lastStatus == .failed)
            let errors = try await fixture.catalog.runErrors(runID: run.id)
            #expect(errors.compactMap(\.itemPath) == [missingUser, missingSite])
            #expect(errors.last?.message.contains("Nothing the job asks for was backed up") == true, "\(errors)")
        }
    }

    @Test("a job whose organization's secret is refused fails once with the sign-in error, not once per user, and makes no restore point")
    func refusedSecretFails() async throws {
        let users = await SimulatedTenant(spec: Self.spec).users()
        try await BackupFixture.with(Self.spec, scope: BackupScope(users: users.map(\.upn))) { fixture in
            try await fixture.catalog.setGraphSecret("not the secret", organizationID: fixture.organization.id)
            let run = try await fixture.backUp()
            #expect(run.state == .failed)
            #expect(try await fixture.catalog.restorePoints(RestorePointFilter(jobID: fixture.job.id)).isEmpty)
            let errors = try await fixture.catalog.runErrors(runID: run.id)
            #expect(errors.count == 1, "\(errors)")
            #expect(errors.first?.message.contains("sign-in failed") == true, "\(errors)")
        }
    }

    private func coverage(_ fixture: BackupFixture) async throws -> Coverage {
        let point = try #require(try await fixture.catalog.restorePoints(RestorePointFilter(jobID: fixture.job.id)).first)
        var cataloged: Set<String> = []
        for drive in await fixture.simulator.tenant.drives()
        where !(try await fixture.catalog.items(jobID: point.jobID, driveID: drive.id, at: point.sequence, options: PointInTimeOptions())).isEmpty {
            cataloged.insert(drive.id)
        }
        let enumerated = await fixture.simulator.requestLog.entries().compactMap { entry -> String? in
            let segments = entry.path.split(separator: "/").map(String.init)
            guard segments.count == 5, segments[1] == "drives", segments[3] == "root", segments[4] == "delta" else { return nil }
            return segments[2].removingPercentEncoding
        }
        return Coverage(cataloged: cataloged, enumerated: Set(enumerated))
    }

    private func expectFilesStored(_ fixture: BackupFixture, point: RestorePoint, drives: Set<String>) async throws {
        let snapshot = await TenantSnapshot.capture(fixture.simulator.tenant)
        let check = RestorePointCheck(fixture: fixture, point: point)
        try await check.expectMatches(TenantSnapshot(drives: snapshot.drives.filter { drives.contains($0.key) }))
    }
}
