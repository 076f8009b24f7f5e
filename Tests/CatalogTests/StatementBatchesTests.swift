@testable import Catalog
import LifeboatTestSupport
import Testing

@Suite("Rows are cut into statements that fit the database's binds")
struct StatementBatchesTests {
    @Test("batches keep every row once, in order, none larger than the binds allow", arguments: [1, 4, 14, 300])
    func batches(columnCount: Int) async throws {
        try await TemporaryCatalog.with { catalog in
            for count in [0, 1, 2, 499, 500, 501, 1_000, 2_345] {
                let rows = Array(0..<count)
                let batches = catalog.statementBatches(rows[...], columnCount: columnCount)
                #expect(Array(batches.joined()) == rows)
                let largest = min(500, catalog.database.dialect.maxBindParameters / columnCount)
                #expect(batches.allSatisfy { !$0.isEmpty && $0.count <= largest })
                #expect(batches.count == (count + largest - 1) / largest)
            }
        }
    }
}
