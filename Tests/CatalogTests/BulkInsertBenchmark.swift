@testable import Catalog
import Foundation
import LifeboatModel
import LifeboatTestSupport
import Testing

/// Measures `recordItemVersions` throughput; runs only with `LIFEBOAT_BENCH=1` (not part of the normal suite).
@Suite("Catalog bulk insert benchmark", .enabled(if: ProcessInfo.processInfo.environment["LIFEBOAT_BENCH"] == "1"))
struct BulkInsertBenchmark {
    @Test("insert 100k item versions in batches of 500 into a catalog file")
    func insert100k() async throws {
        try await TemporaryCatalog.with { catalog in
            let seed = try await CatalogSeed.insert(into: catalog)
            let point = try await seed.begin(catalog, minutes: 0)
            let drive = "b!bench"
            let total = 100_000
            let batch = 500
            let manifest = [UInt8](repeating: 7, count: 96)
            let clock = ContinuousClock()
            let elapsed = try await clock.measure {
                for start in stride(from: 0, to: total, by: batch) {
                    let rows = (start..<start + batch).map { index in
                        ItemVersion(
                            driveID: drive, itemID: "item-\(index)", parentID: "folder-\(index / 100)", name: "file-\(index).docx",
                            isFolder: false, size: Int64(index), eTag: "etag-\(index)", cTag: "ctag-\(index)",
                            quickXorHash: "qxh-\(index)", mimeType: "application/octet-stream", createdAt: CatalogSeed.epoch,
                            modifiedAt: CatalogSeed.epoch, createdBy: "Alice", modifiedBy: "Bob", content: manifest,
                            validFrom: point.sequence
                        )
                    }
                    try await catalog.recordItemVersions(rows, closing: [], jobID: seed.job.id, driveID: drive, sequence: point.sequence)
                }
            }
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            print("BENCH recordItemVersions: \(total) rows in \(seconds) s = \(Int(Double(total) / seconds)) rows/s")
            try await catalog.commitRestorePoint(id: point.id, deltaLinks: [:])
            let listing = try await clock.measure {
                let items = try await catalog.items(jobID: seed.job.id, driveID: drive, at: point.sequence, options: .init())
                #expect(items.count == total)
            }
            print("BENCH items(at:) over \(total) rows: \(listing)")
            #expect(try await catalog.openItemIDs(jobID: seed.job.id, driveID: drive).count == total)
        }
    }
}
