import AsyncHTTPClient
import Foundation
@testable import M365Simulator
import NIOHTTP1
import QuickXorHash
import Testing

/// Large files and large drives the simulator generates from a seed instead of holding them.
@Suite("Lazily generated files and drives")
struct LazyContentTests {
    static let emptySpec = TenantSpec(
        seed: 91, userCount: 1, teamSiteCount: 0, communicationSiteCount: 0, subsitesPerSite: 0, foldersPerDrive: 0,
        maxFolderDepth: 1, filesPerDrive: 0, maxFileSize: 0, largeFileCount: 0, maxVersions: 1)

    @Test("a generated file is served whole and by Range, the same bytes every time, matching its listed quickXorHash")
    func generatedFile() async throws {
        try await SimulatorHarness.with(Self.emptySpec) { h in
            let tenant = h.simulator.tenant
            let drive = try #require(await tenant.drives().first)
            let size = (3 << 20) + 12_345
            let file = try await tenant.createGeneratedFile(
                driveID: drive.id, parentID: drive.rootItemID, name: "big.bin", size: size, seed: 5)
            let whole = try await h.download("/drives/\(drive.id)/items/\(file.id)/content")
            #expect(whole.count == size)
            #expect(QuickXorHasher.hash(whole) == file.quickXorHash)
            #expect(await tenant.contentBytes(driveID: drive.id, itemID: file.id, range: 70_000..<200_000) == Array(whole[70_000..<200_000]))

            let location = try #require(
                try await h.get("/drives/\(drive.id)/items/\(file.id)/content").headers.first(name: "Location"))
            let tail = try await h.get(location, headers: [("Range", "bytes=1000001-")], authorized: false)
            #expect(tail.status == 206)
            #expect(tail.headers.first(name: "Content-Range") == "bytes 1000001-\(size - 1)/\(size)")
            #expect(tail.body == Array(whole[1_000_001...]))
            let other = try await tenant.createGeneratedFile(
                driveID: drive.id, parentID: drive.rootItemID, name: "other.bin", size: size, seed: 6)
            #expect(other.quickXorHash != file.quickXorHash)
        }
    }

    @Test("a drive of 50,000 generated files is enumerated page by page, each file once")
    func bulkEnumeration() async throws {
        try await SimulatorHarness.with(Self.emptySpec) { h in
            let tenant = h.simulator.tenant
            let drive = try #require(await tenant.drives().first)
            let folder = try await tenant.createBulkFolder(
                driveID: drive.id, parentID: drive.rootItemID, name: "Bulk", fileCount: 50_000, maxFileSize: 256, seed: 7)
            #expect(folder.childCount == 50_000)
            let listing = try await h.fullDelta("/drives/\(drive.id)/root/delta?$top=1000")
            #expect(listing.pages == 51)
            let files = listing.items.filter(\.isFile)
            #expect(files.count == 50_000)
            #expect(Set(files.map(\.id)).count == 50_000)
            #expect(files.allSatisfy { $0.parentID == folder.id && $0.quickXorHash != nil })
            let sample = try #require(files.last)
            let bytes = try await h.download("/drives/\(drive.id)/items/\(sample.id)/content")
            #expect(bytes.count == sample.size && QuickXorHasher.hash(bytes) == sample.quickXorHash)
        }
    }

    @Test("a folder of a million generated files stores only what changes: its files are found by id and path, and change, move and die like others")
    func millionFileFolder() async throws {
        try await SimulatorHarness.with(Self.emptySpec) { h in
            let tenant = h.simulator.tenant
            let drive = try #require(await tenant.drives().first)
            let count = 1_000_000
            let storedBefore = await tenant.storedItemCount(driveID: drive.id)
            let folder = try await tenant.createBulkFolder(
                driveID: drive.id, parentID: drive.rootItemID, name: "Bulk", fileCount: count, maxFileSize: 64, seed: 11)
            // Stored one by one, a million records took over a gigabyte; computed, only the folder is stored (and 28 bytes a
            // file for hashes once read).
            #expect(await tenant.storedItemCount(driveID: drive.id) == storedBefore + 1)
            #expect(folder.childCount == count)
            let token = SimulatedTenant.encodeToken("d:\(await tenant.changeCounter(driveID: drive.id))")

            let last = try #require(await tenant.item(driveID: drive.id, path: "Bulk/FILE-1000000.bin"))
            #expect(last.parentID == folder.id && last.size <= 64)
            #expect(await tenant.item(driveID: drive.id, itemID: last.id)?.name == "file-1000000.bin")
            let bytes = try await h.download("/drives/\(drive.id)/items/\(last.id)/content")
            #expect(bytes.count == last.size && QuickXorHasher.hash(bytes) == last.quickXorHash)
            #expect(await tenant.item(driveID: drive.id, path: "Bulk/file-1000001.bin") == nil)
            #expect(await tenant.item(driveID: drive.id, path: "Bulk/file-00000001.bin") == nil, "only the exact name")

            func file(_ number: Int) async throws -> SimulatedItem {
                try #require(await tenant.item(driveID: drive.id, path: "Bulk/file-\(String(format: "%07d", number)).bin"))
            }
            let (changed, renamed, moved, deleted) = (try await file(10), try await file(20), try await file(30), try await file(40))
            let rewritten = try await tenant.updateContent(driveID: drive.id, itemID: changed.id, bytes: Array("new".utf8))
            try await tenant.rename(driveID: drive.id, itemID: renamed.id, to: "renamed.bin")
            try await tenant.move(driveID: drive.id, itemID: moved.id, toParent: drive.rootItemID)
            try await tenant.delete(driveID: drive.id, itemID: deleted.id)

            let changes = try await h.fullDelta("/drives/\(drive.id)/root/delta?token=\(token)")
            let byID = Dictionary(changes.items.map { ($0.id, $0) }, uniquingKeysWith: { $1 })
            #expect(Set(byID.keys).isSuperset(of: [changed.id, renamed.id, moved.id, deleted.id]))
            #expect(changes.items.filter(\.isFile).count == 4, "no unchanged bulk file is listed")
            #expect(byID[changed.id]?.size == 3 && byID[changed.id]?.quickXorHash == rewritten.quickXorHash)
            #expect(byID[renamed.id]?.name == "renamed.bin")
            #expect(byID[moved.id]?.parentID == drive.rootItemID)
            #expect(byID[deleted.id]?.isDeleted == true)

            #expect(await tenant.item(driveID: drive.id, path: "Bulk/file-0000040.bin") == nil)
            #expect(await tenant.item(driveID: drive.id, itemID: deleted.id) == nil)
            #expect(await tenant.item(driveID: drive.id, path: "Bulk/renamed.bin")?.id == renamed.id)
            #expect(await tenant.item(driveID: drive.id, path: "\(moved.name)")?.id == moved.id)
            #expect(await tenant.item(driveID: drive.id, path: "Bulk/file-0000010.bin")?.quickXorHash == rewritten.quickXorHash)
            #expect(await tenant.item(driveID: drive.id, itemID: folder.id)?.childCount == count - 2)
            let reborn = try await tenant.createFile(driveID: drive.id, parentID: folder.id, name: "file-0000020.bin", bytes: [1])
            #expect(reborn.id != renamed.id, "a freed name takes a new file")
            await #expect(throws: M365SimulatorError.self) {
                try await tenant.createFile(driveID: drive.id, parentID: folder.id, name: "file-0000050.bin", bytes: [1])
            }

            // Stored now: the folder, the four files changed, the file made in it. Deleting the folder deletes its million
            // files without storing a tombstone apiece.
            #expect(await tenant.storedItemCount(driveID: drive.id) == storedBefore + 6)
            try await tenant.delete(driveID: drive.id, itemID: folder.id)
            #expect(await tenant.storedItemCount(driveID: drive.id) == storedBefore + 6)
            #expect(await tenant.item(driveID: drive.id, path: "Bulk/file-0000060.bin") == nil)
            #expect(await tenant.item(driveID: drive.id, itemID: last.id) == nil)
        }
    }

    @Test("a bulk folder's files count in sizes and listings like others; deleting the folder lists every file's tombstone once")
    func bulkFolderLifecycle() async throws {
        try await SimulatorHarness.with(Self.emptySpec) { h in
            let tenant = h.simulator.tenant
            let drive = try #require(await tenant.drives().first)
            let empty = try await tenant.createBulkFolder(
                driveID: drive.id, parentID: drive.rootItemID, name: "Empty", fileCount: 0, maxFileSize: 10, seed: 1)
            #expect(empty.childCount == 0)
            #expect(await tenant.item(driveID: drive.id, path: "Empty/file-0000001.bin") == nil)
            _ = try await tenant.createFile(driveID: drive.id, parentID: empty.id, name: "file-0000001.bin", bytes: [7])

            let count = 5_000
            let folder = try await tenant.createBulkFolder(
                driveID: drive.id, parentID: drive.rootItemID, name: "Bulk", fileCount: count, maxFileSize: 100, seed: 2)
            _ = try await tenant.createBulkFolder(
                driveID: drive.id, parentID: drive.rootItemID, name: "Twin", fileCount: 10, maxFileSize: 100, seed: 2)
            let first = try #require(await tenant.item(driveID: drive.id, path: "Bulk/file-0000001.bin"))
            let twinFirst = try #require(await tenant.item(driveID: drive.id, path: "Twin/file-0000001.bin"))
            #expect(first.id != twinFirst.id && first.eTag != twinFirst.eTag, "folders of one seed are still distinct")

            let outsider = try await tenant.createFile(driveID: drive.id, parentID: drive.rootItemID, name: "outside.txt", bytes: [1, 2, 3])
            try await tenant.rename(driveID: drive.id, itemID: outsider.id, to: "FILE-0000002.bin")
            await #expect(throws: M365SimulatorError.self, "a bulk file's name is taken") {
                try await tenant.move(driveID: drive.id, itemID: outsider.id, toParent: folder.id)
            }
            try await tenant.rename(driveID: drive.id, itemID: outsider.id, to: "outside.txt")
            try await tenant.move(driveID: drive.id, itemID: outsider.id, toParent: folder.id)
            let changed = try #require(await tenant.item(driveID: drive.id, path: "Bulk/file-0000003.bin"))
            try await tenant.updateContent(driveID: drive.id, itemID: changed.id, bytes: Array(repeating: 9, count: 1000))

            let listing = try await h.fullDelta("/drives/\(drive.id)/root/delta?$top=1000")
            let inBulk = listing.items.filter { $0.parentID == folder.id }
            #expect(inBulk.count == count + 1 && Set(inBulk.map(\.id)).count == count + 1)
            let listedFolder = try #require(listing.items.first { $0.id == folder.id })
            #expect(listedFolder.size == inBulk.reduce(0) { $0 + ($1.size ?? 0) }, "the folder's size sums its files")
            #expect(inBulk.first { $0.id == changed.id }?.size == 1000)
            #expect(await tenant.item(driveID: drive.id, itemID: folder.id)?.childCount == count + 1)

            try await tenant.delete(driveID: drive.id, itemID: folder.id)
            let changes = try await h.fullDelta(listing.deltaLink)
            let tombstones = changes.items.filter(\.isDeleted)
            #expect(tombstones.count == count + 2, "every file, the moved one and the folder")
            #expect(Set(tombstones.map(\.id)) == Set(inBulk.map(\.id)).union([folder.id]))
            #expect(changes.items.allSatisfy { $0.isDeleted })
            #expect(await tenant.item(driveID: drive.id, path: "Bulk") == nil)
            #expect(await tenant.item(driveID: drive.id, itemID: first.id) == nil)
            #expect(await tenant.item(driveID: drive.id, path: "Twin/file-0000010.bin") != nil, "another bulk folder lives on")
            let after = try await h.fullDelta(changes.deltaLink)
            #expect(after.items.isEmpty)
        }
    }
}
