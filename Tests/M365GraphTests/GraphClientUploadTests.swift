import M365Graph
import M365Simulator
import NIOCore
import Testing

/// Writing to a drive as a restore does: folders, small uploads, upload sessions, and the three conflict behaviours.
@Suite("GraphClient uploads and conflict behaviours")
struct GraphClientUploadTests {
    /// Which way an upload reaches Graph.
    enum UploadPath: String, CaseIterable, CustomTestStringConvertible {
        case smallFile
        case uploadSession
        var testDescription: String { rawValue }
    }

    static let spec = TenantSpec(seed: 9, userCount: 1, teamSiteCount: 0, communicationSiteCount: 0, filesPerDrive: 3, largeFileCount: 0)

    /// Uploads `bytes` as `name` under `parentID` along `path`; upload sessions send 320 KiB fragments.
    static func upload(
        _ bytes: [UInt8], name: String, parentID: String, driveID: String, conflict: M365Graph.ConflictBehavior, path: UploadPath,
        client: GraphClient
    ) async throws -> GraphDriveItem {
        switch path {
        case .smallFile:
            return try await client.uploadSmallFile(
                driveID: driveID, parentID: parentID, name: name, content: ByteBuffer(bytes: bytes), conflict: conflict)
        case .uploadSession:
            let session = try await client.createUploadSession(driveID: driveID, parentID: parentID, name: name, conflict: conflict)
            var offset = 0
            while true {
                let end = min(bytes.count, offset + UploadSession.fragmentQuantum)
                let result = try await client.uploadFragment(
                    session, offset: Int64(offset), totalSize: Int64(bytes.count), content: ByteBuffer(bytes: bytes[offset..<end]))
                switch result {
                case .incomplete(let next):
                    #expect(end < bytes.count)
                    #expect(next == ["\(end)-"])
                    offset = end
                case .completed(let item):
                    #expect(end == bytes.count)
                    return item
                }
            }
        }
    }

    /// Bytes of a given length that differ from one call to the next through `seed`.
    static func bytes(_ count: Int, seed: UInt8) -> [UInt8] {
        (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 31) &+ seed }
    }

    @Test("a new file is created with its bytes; onto an existing name, fail is 409, replace adds a version, rename keeps both",
        arguments: UploadPath.allCases)
    func uploadConflicts(path: UploadPath) async throws {
        try await GraphClientHarness.with(Self.spec) { h in
            let drive = try #require(await h.tenant.drives().first)
            let size = path == .smallFile ? 10_000 : 2 * UploadSession.fragmentQuantum + 1234
            let original = Self.bytes(size, seed: 1)
            let created = try await Self.upload(
                original, name: "Report.bin", parentID: drive.rootItemID, driveID: drive.id, conflict: .fail, path: path, client: h.client)
            #expect(created.name == "Report.bin")
            #expect(created.size == Int64(size))
            #expect(await h.tenant.content(driveID: drive.id, itemID: created.id) == original)

            do {
                _ = try await Self.upload(
                    Self.bytes(size, seed: 2), name: "report.BIN", parentID: drive.rootItemID, driveID: drive.id, conflict: .fail,
                    path: path, client: h.client)
                Issue.record("fail overwrote an existing file")
            } catch GraphError.service(let status, let code, _, _) {
                #expect(status == 409)
                #expect(code == "nameAlreadyExists")
            }
            #expect(await h.tenant.content(driveID: drive.id, itemID: created.id) == original)

            let replacement = Self.bytes(size, seed: 3)
            let replaced = try await Self.upload(
                replacement, name: "Report.bin", parentID: drive.rootItemID, driveID: drive.id, conflict: .replace, path: path,
                client: h.client)
            #expect(replaced.id == created.id)
            #expect(await h.tenant.content(driveID: drive.id, itemID: created.id) == replacement)
            #expect(await h.tenant.versionContents(driveID: drive.id, itemID: created.id).map(\.bytes) == [original, replacement])

            let copy = Self.bytes(size, seed: 4)
            let renamed = try await Self.upload(
                copy, name: "Report.bin", parentID: drive.rootItemID, driveID: drive.id, conflict: .rename, path: path, client: h.client)
            #expect(renamed.id != created.id)
            #expect(renamed.name == "Report 1.bin")
            #expect(await h.tenant.content(driveID: drive.id, itemID: renamed.id) == copy)
            #expect(await h.tenant.content(driveID: drive.id, itemID: created.id) == replacement)
        }
    }

    @Test("folders are created; onto an existing name, fail is 409, replace returns the folder, rename makes another")
    func folderConflicts() async throws {
        try await GraphClientHarness.with(Self.spec) { h in
            let drive = try #require(await h.tenant.drives().first)
            let folder = try await h.client.createFolder(driveID: drive.id, parentID: drive.rootItemID, name: "Restored", conflict: .fail)
            #expect(folder.isFolder)
            #expect(folder.name == "Restored")
            #expect(await h.tenant.item(driveID: drive.id, path: "Restored")?.id == folder.id)

            await #expect(throws: GraphError.self) {
                try await h.client.createFolder(driveID: drive.id, parentID: drive.rootItemID, name: "restored", conflict: .fail)
            }
            let same = try await h.client.createFolder(driveID: drive.id, parentID: drive.rootItemID, name: "Restored", conflict: .replace)
            #expect(same.id == folder.id)
            let other = try await h.client.createFolder(driveID: drive.id, parentID: drive.rootItemID, name: "Restored", conflict: .rename)
            #expect(other.id != folder.id)
            #expect(other.name == "Restored 1")

            let nested = try await h.client.createFolder(driveID: drive.id, parentID: folder.id, name: "Inner", conflict: .fail)
            let file = try await h.client.uploadSmallFile(
                driveID: drive.id, parentID: nested.id, name: "a.txt", content: ByteBuffer(string: "abc"), conflict: .fail)
            #expect(file.parentReference?.id == nested.id)
            #expect(await h.tenant.item(driveID: drive.id, path: "Restored/Inner/a.txt")?.id == file.id)
            await #expect(throws: GraphError.self) {
                try await h.client.createFolder(driveID: drive.id, parentID: "01NOSUCHFOLDER", name: "x", conflict: .fail)
            }
        }
    }
}
