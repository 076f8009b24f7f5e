@testable import Catalog
import Foundation
import LifeboatModel
import LifeboatTestSupport
import SQLKit
import Testing

/// Three committed restore points of one drive with adds, an edit, a rename, a move and a delete, then an
/// uncommitted fourth that deletes and adds; every view is checked item by item.
@Suite("Catalog point-in-time views")
struct PointInTimeTests {
    static let drive = "b!drive"

    static func file(_ id: String, _ name: String, parent: String, cTag: String, size: Int64 = 10) -> ItemVersion {
        ItemVersion(
            driveID: drive, itemID: id, parentID: parent, name: name, isFolder: false, size: size, eTag: "e-\(cTag)",
            cTag: cTag, quickXorHash: "qx-\(cTag)", mimeType: "text/plain", createdAt: CatalogSeed.epoch,
            modifiedAt: CatalogSeed.epoch, createdBy: "Alice", modifiedBy: "Bob", content: Array("manifest-\(cTag)".utf8),
            validFrom: 0
        )
    }

    static func folder(_ id: String, _ name: String, parent: String?, isRoot: Bool = false) -> ItemVersion {
        ItemVersion(driveID: drive, itemID: id, parentID: parent, name: name, isFolder: true, isRoot: isRoot, size: 0, validFrom: 0)
    }

    /// The scenario's catalog and its points.
    struct Scenario {
        let catalog: SQLCatalog
        let seed: CatalogSeed
        let p1: RestorePoint
        let p2: RestorePoint
        let p3: RestorePoint
        let p4: RestorePoint
    }

    /// p1: root, Docs/, Docs/a.txt, b.txt, Docs/c.txt. p2: edit a.txt (+ its Graph version 1.0), rename b.txt to
    /// b2.txt, add d.txt. p3: move c.txt to root, delete b2.txt. p4 (uncommitted): delete a.txt, add e.txt.
    static func makeScenario() async throws -> Scenario {
        let catalog = try await SQLCatalog.openInMemory()
        let seed = try await CatalogSeed.insert(into: catalog)

        let p1 = try await seed.begin(catalog, minutes: 0)
        try await catalog.recordItemVersions([
            folder("root", "root", parent: nil, isRoot: true), folder("docs", "Docs", parent: "root"),
            file("a", "a.txt", parent: "docs", cTag: "a1"), file("b", "b.txt", parent: "root", cTag: "b1"),
            file("c", "c.txt", parent: "docs", cTag: "c1"),
        ], closing: [], jobID: seed.job.id, driveID: drive, sequence: p1.sequence)
        try await catalog.commitRestorePoint(id: p1.id, deltaLinks: [drive: "link-1"])

        let p2 = try await seed.begin(catalog, minutes: 60)
        var historical = file("a", "a.txt", parent: "docs", cTag: "a1")
        historical.isHistorical = true
        historical.graphVersionID = "1.0"
        var edited = file("a", "a.txt", parent: "docs", cTag: "a2", size: 20)
        edited.graphVersionID = "2.0"
        try await catalog.recordItemVersions([
            historical, edited, file("b", "b2.txt", parent: "root", cTag: "b1"), file("d", "d.txt", parent: "root", cTag: "d1"),
        ], closing: ["a", "b"], jobID: seed.job.id, driveID: drive, sequence: p2.sequence)
        try await catalog.commitRestorePoint(id: p2.id, deltaLinks: [drive: "link-2"])

        let p3 = try await seed.begin(catalog, minutes: 120)
        try await catalog.recordItemVersions(
            [file("c", "c.txt", parent: "root", cTag: "c1")], closing: ["c", "b"], jobID: seed.job.id, driveID: drive, sequence: p3.sequence
        )
        try await catalog.commitRestorePoint(id: p3.id, deltaLinks: [drive: "link-3"])

        let p4 = try await seed.begin(catalog, minutes: 180)
        try await catalog.recordItemVersions(
            [file("e", "e.txt", parent: "root", cTag: "e1")], closing: ["a"], jobID: seed.job.id, driveID: drive, sequence: p4.sequence
        )
        return Scenario(catalog: catalog, seed: seed, p1: p1, p2: p2, p3: p3, p4: p4)
    }

    /// "itemID:name@parent#cTag" of each row, in the order returned.
    static func summary(_ rows: [ItemVersion]) -> [String] {
        rows.map { "\($0.itemID):\($0.name)@\($0.parentID ?? "-")#\($0.cTag ?? "")" }
    }

    @Test("each restore point shows exactly the items that existed then, in their state then")
    func pointInTimeViews() async throws {
        let s = try await Self.makeScenario()
        let catalog = s.catalog
        #expect(Self.summary(try await catalog.items(jobID: s.seed.job.id, driveID: Self.drive, at: s.p1.sequence, options: .init())) == [
            "docs:Docs@root#", "a:a.txt@docs#a1", "b:b.txt@root#b1", "c:c.txt@docs#c1", "root:root@-#",
        ])
        #expect(Self.summary(try await catalog.items(jobID: s.seed.job.id, driveID: Self.drive, at: s.p2.sequence, options: .init())) == [
            "docs:Docs@root#", "a:a.txt@docs#a2", "b:b2.txt@root#b1", "c:c.txt@docs#c1", "d:d.txt@root#d1", "root:root@-#",
        ])
        let atP3 = try await catalog.items(jobID: s.seed.job.id, driveID: Self.drive, at: s.p3.sequence, options: .init())
        #expect(Self.summary(atP3) == [
            "docs:Docs@root#", "a:a.txt@docs#a2", "c:c.txt@root#c1", "d:d.txt@root#d1", "root:root@-#",
        ])
        // Still-current rows report no end; content and metadata come back byte for byte.
        #expect(atP3.allSatisfy { $0.validTo == nil })
        let a = try #require(atP3.first { $0.itemID == "a" })
        #expect(a.content == Array("manifest-a2".utf8))
        #expect(a.size == 20 && a.graphVersionID == "2.0" && a.quickXorHash == "qx-a2" && a.modifiedBy == "Bob")
        #expect(a.validFrom == s.p2.sequence && !a.isHistorical)

        // Between points (a sequence no row starts at) the view is the previous point's.
        #expect(Self.summary(try await catalog.items(jobID: s.seed.job.id, driveID: Self.drive, at: s.p1.sequence - 1, options: .init())).isEmpty)
        try await catalog.shutdown()
    }

    @Test("children follow renames and moves at each point")
    func childrenViews() async throws {
        let s = try await Self.makeScenario()
        let catalog = s.catalog
        #expect(Self.summary(try await catalog.children(jobID: s.seed.job.id, driveID: Self.drive, parentID: "docs", at: s.p2.sequence, options: .init()))
            == ["a:a.txt@docs#a2", "c:c.txt@docs#c1"])
        #expect(Self.summary(try await catalog.children(jobID: s.seed.job.id, driveID: Self.drive, parentID: "docs", at: s.p3.sequence, options: .init()))
            == ["a:a.txt@docs#a2"])
        #expect(Self.summary(try await catalog.children(jobID: s.seed.job.id, driveID: Self.drive, parentID: "root", at: s.p3.sequence, options: .init()))
            == ["docs:Docs@root#", "c:c.txt@root#c1", "d:d.txt@root#d1"])
        // A moved item is not "deleted" from its old folder.
        #expect(Self.summary(try await catalog.children(
            jobID: s.seed.job.id, driveID: Self.drive, parentID: "docs", at: s.p3.sequence, options: .init(showDeleted: true)
        )) == ["a:a.txt@docs#a2"])
        try await catalog.shutdown()
    }

    @Test("showDeleted adds each vanished item's last state, ended at the point that saw it go")
    func showDeleted() async throws {
        let s = try await Self.makeScenario()
        let catalog = s.catalog
        let rows = try await catalog.items(jobID: s.seed.job.id, driveID: Self.drive, at: s.p3.sequence, options: .init(showDeleted: true))
        #expect(Self.summary(rows) == [
            "docs:Docs@root#", "a:a.txt@docs#a2", "b:b2.txt@root#b1", "c:c.txt@root#c1", "d:d.txt@root#d1", "root:root@-#",
        ])
        let deleted = rows.filter { ($0.validTo ?? .max) <= s.p3.sequence }
        #expect(deleted.map(\.itemID) == ["b"])
        #expect(deleted.first?.validTo == s.p3.sequence)
        #expect(Self.summary(try await catalog.children(
            jobID: s.seed.job.id, driveID: Self.drive, parentID: "root", at: s.p3.sequence, options: .init(showDeleted: true)
        )) == ["docs:Docs@root#", "b:b2.txt@root#b1", "c:c.txt@root#c1", "d:d.txt@root#d1"])
        // Nothing had been deleted yet at p2.
        #expect(try await catalog.items(jobID: s.seed.job.id, driveID: Self.drive, at: s.p2.sequence, options: .init(showDeleted: true)).count == 6)
        try await catalog.shutdown()
    }

    @Test("showAllVersions returns every committed state of the shown items, historical versions included")
    func showAllVersions() async throws {
        let s = try await Self.makeScenario()
        let catalog = s.catalog
        let rows = try await catalog.items(jobID: s.seed.job.id, driveID: Self.drive, at: s.p3.sequence, options: .init(showAllVersions: true))
        #expect(Self.summary(rows) == [
            "docs:Docs@root#", "a:a.txt@docs#a1", "a:a.txt@docs#a1", "a:a.txt@docs#a2",
            "c:c.txt@docs#c1", "c:c.txt@root#c1", "d:d.txt@root#d1", "root:root@-#",
        ])
        let aVersions = rows.filter { $0.itemID == "a" }
        #expect(aVersions.map(\.isHistorical) == [false, true, false])
        #expect(aVersions.map(\.validFrom) == [s.p1.sequence, s.p2.sequence, s.p2.sequence])
        #expect(aVersions.map(\.validTo) == [s.p2.sequence, nil, nil])
        #expect(aVersions[1].graphVersionID == "1.0")

        let withDeleted = try await catalog.items(
            jobID: s.seed.job.id, driveID: Self.drive, at: s.p3.sequence, options: .init(showDeleted: true, showAllVersions: true)
        )
        #expect(Self.summary(withDeleted.filter { $0.itemID == "b" }) == ["b:b.txt@root#b1", "b:b2.txt@root#b1"])
        // Versions after the point in time are never shown.
        let atP1 = try await catalog.items(jobID: s.seed.job.id, driveID: Self.drive, at: s.p1.sequence, options: .init(showAllVersions: true))
        #expect(atP1.count == 5)
        #expect(atP1.first { $0.itemID == "a" }?.validTo == s.p2.sequence)
        try await catalog.shutdown()
    }

    @Test("item and history answer for one item at a point")
    func itemAndHistory() async throws {
        let s = try await Self.makeScenario()
        let catalog = s.catalog
        #expect(try await catalog.item(jobID: s.seed.job.id, driveID: Self.drive, itemID: "a", at: s.p1.sequence)?.cTag == "a1")
        #expect(try await catalog.item(jobID: s.seed.job.id, driveID: Self.drive, itemID: "a", at: s.p3.sequence)?.cTag == "a2")
        #expect(try await catalog.item(jobID: s.seed.job.id, driveID: Self.drive, itemID: "b", at: s.p3.sequence) == nil)
        #expect(try await catalog.item(jobID: s.seed.job.id, driveID: Self.drive, itemID: "d", at: s.p1.sequence) == nil)
        let history = try await catalog.history(jobID: s.seed.job.id, driveID: Self.drive, itemID: "a", upTo: s.p3.sequence)
        #expect(history.map(\.cTag) == ["a1", "a1", "a2"])
        #expect(history.map(\.isHistorical) == [false, true, false])
        #expect(try await catalog.history(jobID: s.seed.job.id, driveID: Self.drive, itemID: "a", upTo: s.p1.sequence).map(\.cTag) == ["a1"])
        // The uncommitted p4 version never appears in history.
        #expect(try await catalog.history(jobID: s.seed.job.id, driveID: Self.drive, itemID: "e", upTo: s.p4.sequence).isEmpty)
        try await catalog.shutdown()
    }

    @Test("an uncommitted run is invisible to point-in-time views but current for the running backup")
    func uncommittedInvisible() async throws {
        let s = try await Self.makeScenario()
        let catalog = s.catalog
        let atP3 = Self.summary(try await catalog.items(jobID: s.seed.job.id, driveID: Self.drive, at: s.p3.sequence, options: .init()))
        #expect(Self.summary(try await catalog.items(jobID: s.seed.job.id, driveID: Self.drive, at: s.p4.sequence, options: .init())) == atP3)
        #expect(Self.summary(try await catalog.items(
            jobID: s.seed.job.id, driveID: Self.drive, at: s.p4.sequence, options: .init(showDeleted: true)
        )).contains("a:a.txt@docs#a2"))
        #expect(try await catalog.item(jobID: s.seed.job.id, driveID: Self.drive, itemID: "a", at: s.p4.sequence)?.validTo == nil)
        #expect(try await catalog.restorePoint(id: s.p4.id) == nil)
        #expect(try await catalog.restorePoint(sequence: s.p4.sequence) == nil)
        #expect(try await catalog.restorePoint(sequence: s.p3.sequence)?.id == s.p3.id)
        #expect(try await catalog.restorePoints(.init(jobID: s.seed.job.id)).map(\.sequence)
            == [s.p3.sequence, s.p2.sequence, s.p1.sequence])

        let current = try await catalog.currentItems(jobID: s.seed.job.id, driveID: Self.drive, itemIDs: ["a", "b", "c", "e", "zzz"])
        #expect(current.keys.sorted() == ["c", "e"])
        #expect(current["e"]?.validFrom == s.p4.sequence)
        #expect(try await catalog.openItemIDs(jobID: s.seed.job.id, driveID: Self.drive) == ["c", "d", "docs", "e", "root"])
        try await catalog.shutdown()
    }

    @Test("discarding an uncommitted run removes its rows, re-opens what it closed and keeps the delta link")
    func discardUncommitted() async throws {
        let s = try await Self.makeScenario()
        let catalog = s.catalog
        #expect(try await catalog.deltaLink(jobID: s.seed.job.id, driveID: Self.drive) == "link-3")
        try await catalog.discardUncommittedRuns(jobID: s.seed.job.id)

        #expect(try await catalog.openItemIDs(jobID: s.seed.job.id, driveID: Self.drive) == ["a", "c", "d", "docs", "root"])
        let current = try await catalog.currentItems(jobID: s.seed.job.id, driveID: Self.drive, itemIDs: ["a", "e"])
        #expect(current.keys.sorted() == ["a"])
        #expect(current["a"]?.cTag == "a2")
        #expect(try await catalog.deltaLink(jobID: s.seed.job.id, driveID: Self.drive) == "link-3")
        let remaining = try await catalog.database.read { db in
            try await db.raw("SELECT COUNT(*) AS n FROM restore_points").first(decodingColumn: "n", as: Int.self)
        }
        #expect(remaining == 3)
        let rows = try await catalog.database.read { db in
            try await db.raw("SELECT COUNT(*) AS n FROM item_versions").first(decodingColumn: "n", as: Int.self)
        }
        #expect(rows == 10)

        // The next run gets a fresh sequence and sees the committed state as current.
        let p5 = try await s.seed.begin(catalog, minutes: 240)
        #expect(p5.sequence > s.p4.sequence)
        try await catalog.discardUncommittedRuns(jobID: s.seed.job.id)
        #expect(try await catalog.openItemIDs(jobID: s.seed.job.id, driveID: Self.drive) == ["a", "c", "d", "docs", "root"])
        try await catalog.shutdown()
    }

    @Test("the delta link advances only when a restore point commits")
    func deltaLinkOnCommit() async throws {
        let catalog = try await SQLCatalog.openInMemory()
        let seed = try await CatalogSeed.insert(into: catalog)
        let p1 = try await seed.begin(catalog, minutes: 0)
        #expect(try await catalog.deltaLink(jobID: seed.job.id, driveID: "d1") == nil)
        try await catalog.commitRestorePoint(id: p1.id, deltaLinks: ["d1": "one", "d2": "two"])
        #expect(try await catalog.deltaLink(jobID: seed.job.id, driveID: "d1") == "one")
        #expect(try await catalog.deltaLink(jobID: seed.job.id, driveID: "d2") == "two")
        let p2 = try await seed.begin(catalog, minutes: 1)
        #expect(try await catalog.deltaLink(jobID: seed.job.id, driveID: "d1") == "one")
        try await catalog.commitRestorePoint(id: p2.id, deltaLinks: ["d1": "one-b"])
        #expect(try await catalog.deltaLink(jobID: seed.job.id, driveID: "d1") == "one-b")
        #expect(try await catalog.deltaLink(jobID: seed.job.id, driveID: "d2") == "two")
        #expect(try await catalog.deltaLink(jobID: UUID(), driveID: "d1") == nil)
        await #expect(throws: CatalogError.self) { try await catalog.commitRestorePoint(id: UUID(), deltaLinks: ["d1": "x"]) }
        #expect(try await catalog.deltaLink(jobID: seed.job.id, driveID: "d1") == "one-b")
        try await catalog.shutdown()
    }

    @Test("a failed recordItemVersions leaves nothing behind")
    func recordIsAtomic() async throws {
        let catalog = try await SQLCatalog.openInMemory()
        let seed = try await CatalogSeed.insert(into: catalog)
        let p1 = try await seed.begin(catalog, minutes: 0)
        try await catalog.recordItemVersions(
            [Self.file("a", "a.txt", parent: "root", cTag: "a1")], closing: [], jobID: seed.job.id, driveID: Self.drive, sequence: p1.sequence
        )
        // The second batch closes "a" under a restore point that does not exist, so nothing of it may stay.
        await #expect(throws: (any Error).self) {
            try await catalog.recordItemVersions(
                [Self.file("b", "b.txt", parent: "root", cTag: "b1")], closing: ["a"], jobID: seed.job.id, driveID: Self.drive, sequence: 9_999
            )
        }
        #expect(try await catalog.openItemIDs(jobID: seed.job.id, driveID: Self.drive) == ["a"])
        await #expect(throws: CatalogError.self) {
            try await catalog.recordItemVersions(
                [Self.file("b", "b.txt", parent: "root", cTag: "b1")], closing: [], jobID: seed.job.id, driveID: "other", sequence: p1.sequence
            )
        }
        try await catalog.shutdown()
    }

    @Test("an item written twice by the same run keeps only its last state")
    func supersededWithinRun() async throws {
        let catalog = try await SQLCatalog.openInMemory()
        let seed = try await CatalogSeed.insert(into: catalog)
        let p1 = try await seed.begin(catalog, minutes: 0)
        try await catalog.recordItemVersions(
            [Self.file("a", "a.txt", parent: "root", cTag: "a1")], closing: [], jobID: seed.job.id, driveID: Self.drive, sequence: p1.sequence
        )
        try await catalog.recordItemVersions(
            [Self.file("a", "a-renamed.txt", parent: "root", cTag: "a1")], closing: ["a"], jobID: seed.job.id, driveID: Self.drive,
            sequence: p1.sequence
        )
        try await catalog.commitRestorePoint(id: p1.id, deltaLinks: [:])
        let history = try await catalog.history(jobID: seed.job.id, driveID: Self.drive, itemID: "a", upTo: p1.sequence)
        #expect(history.map(\.name) == ["a-renamed.txt"])
        #expect(try await catalog.items(
            jobID: seed.job.id, driveID: Self.drive, at: p1.sequence, options: .init(showDeleted: true, showAllVersions: true)
        ).map(\.name) == ["a-renamed.txt"])
        try await catalog.shutdown()
    }
}
