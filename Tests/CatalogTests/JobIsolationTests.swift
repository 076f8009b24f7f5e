@testable import Catalog
import Foundation
import LifeboatModel
import SQLKit
import Testing

/// Two jobs protecting the same drive into different repositories, with interleaved restore points: each job's
/// views, current rows, history and discards only ever involve its own rows.
@Suite("Catalog item versions per job")
struct JobIsolationTests {
    static let drive = PointInTimeTests.drive

    struct Scenario {
        let catalog: SQLCatalog
        let jobA: BackupJob
        let jobB: BackupJob
        let a1: RestorePoint
        let b1: RestorePoint
        let a2: RestorePoint
        let b2: RestorePoint
    }

    static func file(_ id: String, cTag: String) -> ItemVersion {
        PointInTimeTests.file(id, "\(id).txt", parent: "root", cTag: cTag)
    }

    /// a1: A records a (a1) and b. b1: B records a (its own copy, "b-a1") and c. a2: A deletes b.
    /// b2: B deletes a. All committed.
    static func makeScenario() async throws -> Scenario {
        let catalog = try await SQLCatalog.openInMemory()
        let seed = try await CatalogSeed.insert(into: catalog)
        let otherRepository = BackupRepository(name: "second repo", location: "/tmp/second", createdAt: CatalogSeed.epoch)
        try await catalog.insertRepository(otherRepository)
        let jobB = BackupJob(
            organizationID: seed.organization.id, repositoryID: otherRepository.id, name: "one user",
            scope: BackupScope(users: ["alice@contoso.example"]), createdAt: CatalogSeed.epoch)
        try await catalog.insertJob(jobB)
        func beginB(minutes: Int) async throws -> RestorePoint {
            try await catalog.beginRestorePoint(
                jobID: jobB.id, runID: UUID(), organizationID: seed.organization.id, repositoryID: otherRepository.id,
                backupTime: CatalogSeed.epoch.addingTimeInterval(Double(minutes) * 60), isOneDrive: true, isSharePoint: false)
        }
        let jobA = seed.job

        let a1 = try await seed.begin(catalog, minutes: 0)
        try await catalog.recordItemVersions(
            [file("a", cTag: "a1"), file("b", cTag: "b1")], closing: [], jobID: jobA.id, driveID: drive, sequence: a1.sequence)
        try await catalog.commitRestorePoint(id: a1.id, deltaLinks: [drive: "a-link-1"])

        let b1 = try await beginB(minutes: 1)
        try await catalog.recordItemVersions(
            [file("a", cTag: "b-a1"), file("c", cTag: "c1")], closing: [], jobID: jobB.id, driveID: drive, sequence: b1.sequence)
        try await catalog.commitRestorePoint(id: b1.id, deltaLinks: [drive: "b-link-1"])

        let a2 = try await seed.begin(catalog, minutes: 60)
        try await catalog.recordItemVersions([], closing: ["b"], jobID: jobA.id, driveID: drive, sequence: a2.sequence)
        try await catalog.commitRestorePoint(id: a2.id, deltaLinks: [drive: "a-link-2"])

        let b2 = try await beginB(minutes: 61)
        try await catalog.recordItemVersions([], closing: ["a"], jobID: jobB.id, driveID: drive, sequence: b2.sequence)
        try await catalog.commitRestorePoint(id: b2.id, deltaLinks: [drive: "b-link-2"])
        return Scenario(catalog: catalog, jobA: jobA, jobB: jobB, a1: a1, b1: b1, a2: a2, b2: b2)
    }

    @Test("job B's rows are invisible at job A's points, and B's deletions never end A's rows")
    func otherJobsRowsInvisible() async throws {
        let s = try await Self.makeScenario()
        let catalog = s.catalog
        let a = s.jobA.id
        let b = s.jobB.id
        #expect(PointInTimeTests.summary(try await catalog.items(jobID: a, driveID: Self.drive, at: s.a1.sequence, options: .init()))
            == ["a:a.txt@root#a1", "b:b.txt@root#b1"])
        // a2 comes after B's first point: under a shared table B's c and B's copy of a would show here.
        let atA2 = try await catalog.items(jobID: a, driveID: Self.drive, at: s.a2.sequence, options: .init(showDeleted: true))
        #expect(PointInTimeTests.summary(atA2) == ["a:a.txt@root#a1", "b:b.txt@root#b1"])
        #expect(atA2.first { $0.itemID == "a" }?.content == Array("manifest-a1".utf8))
        #expect(atA2.first { $0.itemID == "a" }?.validTo == nil)
        #expect(atA2.first { $0.itemID == "b" }?.validTo == s.a2.sequence)
        // Even at a sequence after B deleted a, A's a is current and has one state.
        #expect(try await catalog.item(jobID: a, driveID: Self.drive, itemID: "a", at: s.b2.sequence)?.cTag == "a1")
        #expect(try await catalog.item(jobID: a, driveID: Self.drive, itemID: "c", at: s.b2.sequence) == nil)
        #expect(try await catalog.history(jobID: a, driveID: Self.drive, itemID: "a", upTo: s.b2.sequence).map(\.cTag) == ["a1"])
        #expect(try await catalog.children(
            jobID: a, driveID: Self.drive, parentID: "root", at: s.b2.sequence, options: .init(showAllVersions: true)
        ).map(\.cTag) == ["a1"])

        // B sees only its own rows: its copy of a until b2, c throughout, never A's b.
        #expect(PointInTimeTests.summary(try await catalog.items(jobID: b, driveID: Self.drive, at: s.a2.sequence, options: .init()))
            == ["a:a.txt@root#b-a1", "c:c.txt@root#c1"])
        let atB2 = try await catalog.items(jobID: b, driveID: Self.drive, at: s.b2.sequence, options: .init(showDeleted: true))
        #expect(PointInTimeTests.summary(atB2) == ["a:a.txt@root#b-a1", "c:c.txt@root#c1"])
        #expect(atB2.first { $0.itemID == "a" }?.validTo == s.b2.sequence)
        #expect(try await catalog.history(jobID: b, driveID: Self.drive, itemID: "a", upTo: s.b2.sequence).map(\.cTag) == ["b-a1"])

        // What a running backup of each job compares with.
        #expect(try await catalog.openItemIDs(jobID: a, driveID: Self.drive) == ["a"])
        #expect(try await catalog.openItemIDs(jobID: b, driveID: Self.drive) == ["c"])
        #expect(try await catalog.currentItems(jobID: a, driveID: Self.drive, itemIDs: ["a", "b", "c"]).mapValues(\.cTag) == ["a": "a1"])
        #expect(try await catalog.currentItems(jobID: b, driveID: Self.drive, itemIDs: ["a", "b", "c"]).mapValues(\.cTag) == ["c": "c1"])
        #expect(try await catalog.deltaLink(jobID: a, driveID: Self.drive) == "a-link-2")
        #expect(try await catalog.deltaLink(jobID: b, driveID: Self.drive) == "b-link-2")
        try await catalog.shutdown()
    }

    @Test("rows cannot be recorded for one job under another job's restore point")
    func recordingUnderAnotherJobsPointFails() async throws {
        let s = try await Self.makeScenario()
        let catalog = s.catalog
        await #expect(throws: CatalogError.self) {
            try await catalog.recordItemVersions(
                [Self.file("d", cTag: "d1")], closing: ["a"], jobID: s.jobA.id, driveID: Self.drive, sequence: s.b2.sequence)
        }
        await #expect(throws: CatalogError.self) {
            try await catalog.recordItemVersions([], closing: ["a"], jobID: s.jobA.id, driveID: Self.drive, sequence: 9_999)
        }
        #expect(try await catalog.openItemIDs(jobID: s.jobA.id, driveID: Self.drive) == ["a"])
        #expect(try await Self.rowCount(catalog) == 4)
        try await catalog.shutdown()
    }

    @Test("discarding one job's uncommitted run restores its rows and leaves the other job's run in progress alone")
    func discardIsPerJob() async throws {
        let s = try await Self.makeScenario()
        let catalog = s.catalog
        let seed = CatalogSeed(
            organization: try #require(try await catalog.organization(id: s.jobA.organizationID)),
            repository: try #require(try await catalog.repository(id: s.jobA.repositoryID)), job: s.jobA)
        let a3 = try await seed.begin(catalog, minutes: 120)
        try await catalog.recordItemVersions(
            [Self.file("a", cTag: "a2")], closing: ["a"], jobID: s.jobA.id, driveID: Self.drive, sequence: a3.sequence)
        let b3 = try await catalog.beginRestorePoint(
            jobID: s.jobB.id, runID: UUID(), organizationID: s.jobB.organizationID, repositoryID: s.jobB.repositoryID,
            backupTime: CatalogSeed.epoch.addingTimeInterval(7_260), isOneDrive: true, isSharePoint: false)
        try await catalog.recordItemVersions(
            [Self.file("e", cTag: "e1")], closing: ["c"], jobID: s.jobB.id, driveID: Self.drive, sequence: b3.sequence)

        try await catalog.discardUncommittedRuns(jobID: s.jobA.id)
        #expect(try await catalog.currentItems(jobID: s.jobA.id, driveID: Self.drive, itemIDs: ["a"]).mapValues(\.cTag) == ["a": "a1"])
        #expect(try await catalog.openItemIDs(jobID: s.jobB.id, driveID: Self.drive) == ["e"])
        try await catalog.commitRestorePoint(id: b3.id, deltaLinks: [:])
        #expect(PointInTimeTests.summary(try await catalog.items(jobID: s.jobB.id, driveID: Self.drive, at: b3.sequence, options: .init()))
            == ["e:e.txt@root#e1"])
        #expect(PointInTimeTests.summary(try await catalog.items(jobID: s.jobA.id, driveID: Self.drive, at: b3.sequence, options: .init()))
            == ["a:a.txt@root#a1"])
        try await catalog.shutdown()
    }

    static func rowCount(_ catalog: SQLCatalog) async throws -> Int? {
        try await catalog.database.read { db in
            try await db.raw("SELECT COUNT(*) AS n FROM item_versions").first(decodingColumn: "n", as: Int.self)
        }
    }
}
