import AsyncHTTPClient
import Foundation
import M365Simulator
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
}
