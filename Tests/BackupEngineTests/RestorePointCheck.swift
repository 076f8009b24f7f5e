import Catalog
import LifeboatModel
import LifeboatTestSupport
import M365Simulator
import Testing

/// Compares what the catalog shows at a restore point with what the tenant held when that backup ran, item by item:
/// names, parents, sizes, hashes, and the bytes read back from the repository.
struct RestorePointCheck {
    let fixture: BackupFixture
    let point: RestorePoint

    /// The point-in-time view of every drive equals `snapshot` exactly: no item missing, none extra, every file's
    /// stored bytes equal the simulator's.
    func expectMatches(_ snapshot: TenantSnapshot, sourceLocation: SourceLocation = #_sourceLocation) async throws {
        for (driveID, expected) in snapshot.drives {
            let rows = try await fixture.catalog.items(jobID: point.jobID, driveID: driveID, at: point.sequence, options: PointInTimeOptions())
            let byID = Dictionary(rows.map { ($0.itemID, $0) }, uniquingKeysWith: { first, _ in first })
            #expect(rows.count == byID.count, "an item shows twice at point \(point.sequence)", sourceLocation: sourceLocation)
            #expect(
                Set(byID.keys) == Set(expected.keys), "items of drive \(driveID) at point \(point.sequence)",
                sourceLocation: sourceLocation)
            for (id, item) in expected {
                guard let row = byID[id] else { continue }
                try await expectRow(row, equals: item, sourceLocation: sourceLocation)
                #expect(
                    row.validTo.map { $0 > point.sequence } ?? true, "a visible row ends after the point, if at all",
                    sourceLocation: sourceLocation)
            }
        }
    }

    /// With `showDeleted`, the view also holds exactly the `deleted` items, in their last state (from `before`),
    /// each ended at this point.
    func expectShowsDeleted(
        _ deleted: Set<String>, driveID: String, lastSeenIn before: TenantSnapshot, liveIn now: TenantSnapshot,
        sourceLocation: SourceLocation = #_sourceLocation
    ) async throws {
        let rows = try await fixture.catalog.items(
            jobID: point.jobID, driveID: driveID, at: point.sequence, options: PointInTimeOptions(showDeleted: true))
        let byID = Dictionary(rows.map { ($0.itemID, $0) }, uniquingKeysWith: { first, _ in first })
        let live = Set(now.items(driveID: driveID).keys)
        #expect(Set(byID.keys) == live.union(deleted), sourceLocation: sourceLocation)
        for id in deleted {
            let row = try #require(byID[id], sourceLocation: sourceLocation)
            let item = try #require(before.items(driveID: driveID)[id], sourceLocation: sourceLocation)
            try await expectRow(row, equals: item, sourceLocation: sourceLocation)
            #expect(row.validTo == point.sequence, "deleted \(item.item.name) ends at this point", sourceLocation: sourceLocation)
        }
    }

    /// With `showAllVersions`, every file's rows hold its Graph version history in order (earlier versions first,
    /// consecutive rows of one version collapsed: a rename repeats the version), each row with that version's bytes.
    func expectVersionHistory(_ snapshot: TenantSnapshot, sourceLocation: SourceLocation = #_sourceLocation) async throws {
        for (driveID, expected) in snapshot.drives {
            let rows = try await fixture.catalog.items(
                jobID: point.jobID, driveID: driveID, at: point.sequence, options: PointInTimeOptions(showAllVersions: true))
            let rowsByItem = Dictionary(grouping: rows, by: \.itemID)
            for (id, item) in expected where !item.item.isFolder {
                let history = rowsByItem[id] ?? []
                var versionIDs: [String] = []
                for row in history {
                    let versionID = try #require(row.graphVersionID, "row of \(item.item.name) without a version", sourceLocation: sourceLocation)
                    if versionIDs.last != versionID { versionIDs.append(versionID) }
                    let version = try #require(item.versions.first { $0.id == versionID }, sourceLocation: sourceLocation)
                    #expect(row.size == Int64(version.bytes.count), sourceLocation: sourceLocation)
                    #expect(
                        try await fixture.storedBytes(of: row, in: point) == version.bytes,
                        "bytes of version \(versionID) of \(item.item.name)", sourceLocation: sourceLocation)
                }
                #expect(versionIDs == item.versions.map(\.id), "versions of \(item.item.name)", sourceLocation: sourceLocation)
                #expect(history.last?.isHistorical == false, sourceLocation: sourceLocation)
                #expect(history.dropLast().allSatisfy { $0.isHistorical || $0.validTo != nil }, sourceLocation: sourceLocation)
            }
        }
    }

    private func expectRow(_ row: ItemVersion, equals expected: TenantSnapshot.Item, sourceLocation: SourceLocation) async throws {
        let item = expected.item
        #expect(row.isFolder == item.isFolder, "\(item.name)", sourceLocation: sourceLocation)
        #expect(row.isRoot == item.isRoot, "\(item.name)", sourceLocation: sourceLocation)
        #expect(row.parentID == item.parentID, "parent of \(item.name)", sourceLocation: sourceLocation)
        if !item.isRoot {
            #expect(row.name == item.name, sourceLocation: sourceLocation)
        }
        guard !item.isFolder else { return }
        #expect(row.size == Int64(item.size), "size of \(item.name)", sourceLocation: sourceLocation)
        #expect(row.quickXorHash == item.quickXorHash, "hash of \(item.name)", sourceLocation: sourceLocation)
        #expect(row.cTag == item.cTag, "cTag of \(item.name)", sourceLocation: sourceLocation)
        #expect(row.graphVersionID == item.versionID, "version of \(item.name)", sourceLocation: sourceLocation)
        #expect(row.isHistorical == false, sourceLocation: sourceLocation)
        #expect(try await fixture.storedBytes(of: row, in: point) == expected.bytes, "bytes of \(item.name)", sourceLocation: sourceLocation)
    }
}
