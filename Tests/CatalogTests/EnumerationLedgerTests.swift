import Catalog
import Foundation
import LifeboatModel
import LifeboatTestSupport
import Testing

@Suite("The enumeration ledger: what a drive's enumeration met, kept in the catalog instead of memory")
struct EnumerationLedgerTests {
    static let drive = "b!ledger"

    /// A job holding `count` current items (`item-0000` ...) of the drive, and a second job of the same organization.
    private func seeded(_ catalog: SQLCatalog, count: Int) async throws -> (CatalogSeed, BackupJob) {
        let seed = try await CatalogSeed.insert(into: catalog)
        let point = try await seed.begin(catalog, minutes: 0)
        let rows = (0..<count).map { index in
            ItemVersion(
                driveID: Self.drive, itemID: String(format: "item-%04d", index), parentID: "root", name: "f\(index)", isFolder: false,
                size: 1, validFrom: point.sequence)
        }
        try await catalog.recordItemVersions(rows, closing: [], jobID: seed.job.id, driveID: Self.drive, sequence: point.sequence)
        try await catalog.commitRestorePoint(id: point.id, deltaLinks: [:])
        let other = BackupJob(
            organizationID: seed.organization.id, repositoryID: seed.repository.id, name: "other", scope: .entireOrganization)
        try await catalog.insertJob(other)
        return (seed, other)
    }

    @Test("tallies come back for items met and counted; a later meeting replaces the earlier; other jobs see nothing")
    func talliesReplaceAndStayWithTheirJob() async throws {
        try await TemporaryCatalog.with { catalog in
            let (seed, other) = try await seeded(catalog, count: 3)
            let job = seed.job.id
            try await catalog.recordEnumerationEntries(["item-0000": "added", "item-0001": nil], pass: 0, jobID: job, driveID: Self.drive)
            #expect(try await catalog.enumerationTallies(jobID: job, driveID: Self.drive, itemIDs: ["item-0000", "item-0001", "item-0002"])
                == ["item-0000": "added"])
            try await catalog.recordEnumerationEntries(["item-0000": "unchanged", "item-0001": "deleted"], pass: 0, jobID: job, driveID: Self.drive)
            #expect(try await catalog.enumerationTallies(jobID: job, driveID: Self.drive, itemIDs: ["item-0000", "item-0001"])
                == ["item-0000": "unchanged", "item-0001": "deleted"])
            #expect(try await catalog.enumerationTallies(jobID: other.id, driveID: Self.drive, itemIDs: ["item-0000"]).isEmpty)
            #expect(try await catalog.enumerationTallies(jobID: job, driveID: "b!another", itemIDs: ["item-0000"]).isEmpty)

            try await catalog.clearEnumerationLedger(jobID: job, driveID: Self.drive)
            #expect(try await catalog.enumerationTallies(jobID: job, driveID: Self.drive, itemIDs: ["item-0000", "item-0001"]).isEmpty)
        }
    }

    @Test("current items a pass never met page out in id order; meetings of an earlier pass do not count")
    func unmetItemsPageOut() async throws {
        try await TemporaryCatalog.with { catalog in
            let (seed, other) = try await seeded(catalog, count: 250)
            let job = seed.job.id
            let all = (0..<250).map { String(format: "item-%04d", $0) }
            // Pass 0 met everything; pass 1 (after a resync) met every third item and ones the catalog never held.
            try await catalog.recordEnumerationEntries(Dictionary(uniqueKeysWithValues: all.map { ($0, nil) }), pass: 0, jobID: job, driveID: Self.drive)
            let metInPassOne = all.enumerated().filter { $0.offset % 3 == 0 }.map(\.element) + ["new-1", "new-2"]
            try await catalog.recordEnumerationEntries(
                Dictionary(uniqueKeysWithValues: metInPassOne.map { ($0, "unchanged") }), pass: 1, jobID: job, driveID: Self.drive)

            var unmet: [String] = []
            var after: String?
            var pages = 0
            while true {
                let page = try await catalog.currentItemIDs(notMetInPass: 1, jobID: job, driveID: Self.drive, after: after, limit: 40)
                guard let last = page.last else { break }
                #expect(page.count <= 40)
                unmet += page
                after = last
                pages += 1
            }
            #expect(unmet == all.filter { !metInPassOne.contains($0) })
            #expect(pages == 5)
            // An item remembers the last pass that met it only.
            #expect(try await catalog.currentItemIDs(notMetInPass: 0, jobID: job, driveID: Self.drive, after: nil, limit: 1000)
                == metInPassOne.filter(all.contains))
            #expect(try await catalog.currentItemIDs(notMetInPass: 0, jobID: other.id, driveID: Self.drive, after: nil, limit: 10).isEmpty,
                "the other job holds no items")
        }
    }
}
