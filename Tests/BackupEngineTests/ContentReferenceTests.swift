import BackupEngine
import Catalog
import Foundation
import ChunkStore
import LifeboatModel
import LifeboatTestSupport
import Testing

/// What `lifeboat repo check` uses to name the items a damaged chunk affects.
@Suite("Content the catalog references in a repository")
struct ContentReferenceTests {
    @Test("paging through a repository's content rows lists every stored file state and version exactly once")
    func everyManifestOnce() async throws {
        try await BackupFixture.with { fixture in
            let run = try await fixture.backUp()
            var rows: [ItemVersion] = []
            var after: Int64 = 0
            while true {
                let page = try await fixture.catalog.contentRows(repositoryID: fixture.repositoryRecord.id, afterRowID: after, limit: 7)
                guard let last = page.last else { break }
                #expect(page.count <= 7)
                after = last.rowID
                rows += page
            }
            #expect(rows.count == run.counters.filesAdded + run.counters.versionsStored)
            #expect(Set(rows.map(\.rowID)).count == rows.count)
            #expect(rows.allSatisfy { $0.content != nil && !$0.isFolder })
            let other = try await fixture.catalog.contentRows(repositoryID: UUID(), afterRowID: 0, limit: 100)
            #expect(other.isEmpty, "another repository's rows are not listed")
        }
    }
}
