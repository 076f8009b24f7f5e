import Catalog
import Foundation
import LifeboatModel
import LifeboatTestSupport
import Testing

@Suite("The enumeration ledger: what a run's enumeration of a drive met, kept in the catalog instead of memory")
struct EnumerationLedgerTests {
    static let drive = "b!ledger"

    /// A job holding `count` current items (`item-0000` ...) of the drive, committed; returns it and the sequence of its
    /// next run, in progress.
    private func seeded(_ catalog: SQLCatalog, count: Int) async throws -> (CatalogSeed, running: Int64) {
        let seed = try await CatalogSeed.insert(into: catalog)
        let point = try await seed.begin(catalog, minutes: 0)
        let rows = (0..<count).map { index in
            ItemVersion(
                driveID: Self.drive, itemID: String(format: "item-%04d", index), parentID: "root", name: "f\(index)", isFolder: false,
                size: 1, validFrom: point.sequence)
        }
        try await catalog.recordItemVersions(rows, closing: [], jobID: seed.job.id, driveID: Self.drive, sequence: point.sequence)
        try await catalog.commitRestorePoint(id: point.id, deltaLinks: [:])
        return (seed, try await seed.begin(catalog, minutes: 1).sequence)
    }

    @Test("tallies come back for items met and counted; a later meeting replaces the earlier; other runs and drives see nothing")
    func talliesReplaceAndStayWithTheirRun() async throws {
        try await TemporaryCatalog.with { catalog in
            let (seed, run) = try await seeded(catalog, count: 3)
            let ids = ["item-0000", "item-0001", "item-0002"]
            try await catalog.recordEnumerationEntries(["item-0000": "added", "item-0001": nil], pass: 0, sequence: run, driveID: Self.drive)
            #expect(try await catalog.enumerationTallies(sequence: run, driveID: Self.drive, itemIDs: ids) == ["item-0000": "added"])
            try await catalog.recordEnumerationEntries(["item-0000": "unchanged", "item-0001": "deleted"], pass: 0, sequence: run, driveID: Self.drive)
            #expect(try await catalog.enumerationTallies(sequence: run, driveID: Self.drive, itemIDs: ids)
                == ["item-0000": "unchanged", "item-0001": "deleted"])
            let otherRun = try await seed.begin(catalog, minutes: 2).sequence
            #expect(try await catalog.enumerationTallies(sequence: otherRun, driveID: Self.drive, itemIDs: ids).isEmpty)
            #expect(try await catalog.enumerationTallies(sequence: run, driveID: "b!another", itemIDs: ids).isEmpty)

            try await catalog.clearEnumerationLedger(sequence: run, driveID: Self.drive)
            #expect(try await catalog.enumerationTallies(sequence: run, driveID: Self.drive, itemIDs: ids).isEmpty)
        }
    }

    @Test("current items a pass never met page out in id order; meetings of an earlier pass do not count")
    func unmetItemsPageOut() async throws {
        try await TemporaryCatalog.with { catalog in
            let (seed, run) = try await seeded(catalog, count: 250)
            let job = seed.job.id
            let all = (0..<250).map { String(format: "item-%04d", $0) }
            // Pass 0 met everything; pass 1 (after a resync) met every third item and ones the catalog never held.
            try await catalog.recordEnumerationEntries(Dictionary(uniqueKeysWithValues: all.map { ($0, nil) }), pass: 0, sequence: run, driveID: Self.drive)
            let metInPassOne = all.enumerated().filter { $0.offset % 3 == 0 }.map(\.element) + ["new-1", "new-2"]
            try await catalog.recordEnumerationEntries(
                Dictionary(uniqueKeysWithValues: metInPassOne.map { ($0, "unchanged") }), pass: 1, sequence: run, driveID: Self.drive)

            var unmet: [String] = []
            var after: String?
            var pages = 0
            while true {
                let page = try await catalog.currentItemIDs(
                    notMetInPass: 1, sequence: run, jobID: job, driveID: Self.drive, after: after, limit: 40)
                guard let last = page.last else { break }
                #expect(page.count <= 40)
                unmet += page
                after = last
                pages += 1
            }
            #expect(unmet == all.filter { !metInPassOne.contains($0) })
            #expect(pages == 5)
            // An item remembers the last pass that met it only.
            #expect(try await catalog.currentItemIDs(notMetInPass: 0, sequence: run, jobID: job, driveID: Self.drive, after: nil, limit: 1000)
                == metInPassOne.filter(all.contains))
            let otherRun = try await seed.begin(catalog, minutes: 2).sequence
            #expect(try await catalog.currentItemIDs(notMetInPass: 1, sequence: otherRun, jobID: job, driveID: Self.drive, after: nil, limit: 1000)
                == all, "another run's meetings count for nothing")
        }
    }

    @Test("discarding an interrupted run's restore point clears what its enumeration noted")
    func discardClearsTheLedger() async throws {
        try await TemporaryCatalog.with { catalog in
            let (seed, run) = try await seeded(catalog, count: 2)
            try await catalog.recordEnumerationEntries(["item-0000": "unchanged"], pass: 0, sequence: run, driveID: Self.drive)
            try await catalog.discardUncommittedRuns(jobID: seed.job.id)
            #expect(try await catalog.enumerationTallies(sequence: run, driveID: Self.drive, itemIDs: ["item-0000"]).isEmpty)
        }
    }
}
