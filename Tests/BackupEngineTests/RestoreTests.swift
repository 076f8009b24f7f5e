import BackupEngine
import Catalog
import Foundation
import LifeboatModel
import LifeboatTestSupport
import M365Simulator
import Testing

/// Restores into the simulated tenant, checked against the tenant itself: bytes, names, versions, and what was left alone.
@Suite("Restore to the original location")
struct RestoreTests {
    /// One OneDrive and a site, nested folders, files with versions, and files above the fixture's 256 KiB
    /// simple-upload limit so upload sessions run.
    static let spec = TenantSpec(
        seed: 33, userCount: 1, teamSiteCount: 1, communicationSiteCount: 0, subsitesPerSite: 0, foldersPerDrive: 4,
        maxFolderDepth: 2, filesPerDrive: 10, maxFileSize: 600 << 10, largeFileCount: 1, maxVersions: 3)

    @Test("a whole OneDrive comes back after edits and deletions: every file byte for byte, unchanged files skipped, new files left alone")
    func wholeDriveOverwrite() async throws {
        try await BackupFixture.with(Self.spec) { fixture in
            let tenant = fixture.simulator.tenant
            let drive = try #require(await tenant.drives().first { $0.kind == .business })
            let backedUp = await LiveTree.capture(tenant, driveID: drive.id)
            _ = try await fixture.backUp()
            let point = try await latestPoint(fixture)
            let edits = try await DriveEdits.apply(to: tenant, driveID: drive.id)
            let edited = await LiveTree.capture(tenant, driveID: drive.id)

            let run = try await fixture.restoreRunner.runNow(
                RestoreRequest(
                    organizationID: fixture.organization.id,
                    selections: [RestoreSelection(jobID: fixture.job.id, restorePointSequence: point.sequence, driveID: drive.id, itemIDs: nil)]))
            let errors = try await fixture.catalog.runErrors(runID: run.id)
            #expect(run.state == .succeeded, "\(errors.map(\.message))")

            let restored = await LiveTree.capture(tenant, driveID: drive.id)
            // Every backed-up file is at its path with its bytes.
            for (path, file) in backedUp.files {
                let same = restored.files[path]?.bytes == file.bytes
                #expect(same, "\(path) restored byte for byte")
            }
            for path in backedUp.folders { #expect(restored.folders.contains(path), "\(path)") }
            // What the user added after the backup is still there, untouched.
            for (path, file) in edited.files where backedUp.files[path] == nil {
                let same = restored.files[path]?.bytes == file.bytes
                #expect(same, "added after the backup and left alone: \(path)")
            }
            // The edited file got the backed-up content as a new version on top of the edit.
            let editedPath = try #require(edited.path(of: edits.editedFile))
            let history = await tenant.versionContents(driveID: drive.id, itemID: edits.editedFile)
            let lastIsBackup = history.last?.bytes == backedUp.files[editedPath]?.bytes
            let editKept = history.dropLast().last?.bytes == edited.files[editedPath]?.bytes
            #expect(lastIsBackup && editKept, "the backed-up content sits on top of the edit")

            // Counts: files whose live content already equalled the backup were skipped, the rest restored.
            let unchanged = backedUp.files.filter { edited.files[$0.key]?.bytes == $0.value.bytes }.count
            let restoredFolders = backedUp.folders.count
            #expect(run.counters.itemsSkipped == unchanged)
            #expect(run.counters.itemsRestored == backedUp.files.count - unchanged + restoredFolders)
            #expect(run.counters.itemsFailed == 0)
            let expectedBytes = backedUp.files.filter { edited.files[$0.key]?.bytes != $0.value.bytes }
                .reduce(Int64(0)) { $0 + Int64($1.value.bytes.count) }
            #expect(run.counters.bytesUploaded == expectedBytes)
            // Large files went through upload sessions.
            let sessions = await fixture.simulator.requestLog.entries().filter { $0.path.contains("createUploadSession") }
            #expect(sessions.count == backedUp.files.filter { edited.files[$0.key]?.bytes != $0.value.bytes && $0.value.bytes.count > 256 << 10 }.count)
        }
    }

    @Test("keep restores a copy beside the live file under a clear new name and leaves the live file as it is")
    func keepRestoresBeside() async throws {
        try await BackupFixture.with(Self.spec) { fixture in
            let tenant = fixture.simulator.tenant
            let drive = try #require(await tenant.drives().first { $0.kind == .business })
            _ = try await fixture.backUp()
            let point = try await latestPoint(fixture)
            let file = try #require(await tenant.allFiles(driveID: drive.id).first { $0.size > 0 })
            let original = try #require(await tenant.content(driveID: drive.id, itemID: file.id))
            try await tenant.updateContent(driveID: drive.id, itemID: file.id, bytes: Array("overwritten by mistake".utf8))

            let run = try await fixture.restoreRunner.runNow(
                RestoreRequest(
                    organizationID: fixture.organization.id,
                    selections: [RestoreSelection(jobID: fixture.job.id, restorePointSequence: point.sequence, driveID: drive.id, itemIDs: [file.id])],
                    documentAction: .keep))
            #expect(run.state == .succeeded)
            #expect(run.counters.itemsRestored == 1)
            let live = await tenant.content(driveID: drive.id, itemID: file.id)
            #expect(live == Array("overwritten by mistake".utf8))
            let siblings = await tenant.children(driveID: drive.id, folderID: try #require(file.parentID))
            let base = file.name.split(separator: ".").first.map(String.init) ?? file.name
            let copy = try #require(siblings.first { $0.id != file.id && $0.name.hasPrefix("\(base) (restored ") })
            let copied = await tenant.content(driveID: drive.id, itemID: copy.id)
            #expect(copied?.count == original.count && copied == original, "the kept copy holds the backed-up bytes")
            #expect(siblings.count == (await LiveTree.capture(tenant, driveID: drive.id)).children(of: file.parentID!).count)
        }
    }

    @Test("all versions rebuild a deleted file's history oldest first; last restores only the version at the point in time")
    func versionsRebuilt() async throws {
        try await BackupFixture.with(Self.spec) { fixture in
            let tenant = fixture.simulator.tenant
            let drive = try #require(await tenant.drives().first { $0.kind == .business })
            let files = await tenant.allFiles(driveID: drive.id)
            let file = try #require(files.first { $0.versionCount >= 3 })
            let versions = await tenant.versionContents(driveID: drive.id, itemID: file.id).map(\.bytes)
            let other = try #require(files.first { $0.versionCount >= 2 && $0.id != file.id })
            let otherBytes = try #require(await tenant.content(driveID: drive.id, itemID: other.id))
            _ = try await fixture.backUp()
            let point = try await latestPoint(fixture)
            try await tenant.delete(driveID: drive.id, itemID: file.id)
            try await tenant.delete(driveID: drive.id, itemID: other.id)

            let all = try await fixture.restoreRunner.runNow(
                RestoreRequest(
                    organizationID: fixture.organization.id,
                    selections: [RestoreSelection(jobID: fixture.job.id, restorePointSequence: point.sequence, driveID: drive.id, itemIDs: [file.id])],
                    documentVersion: .all))
            let allErrors = try await fixture.catalog.runErrors(runID: all.id).map(\.message)
            #expect(all.state == .succeeded, "\(allErrors)")
            let parent = try #require(file.parentID)
            let rebuilt = try #require(await tenant.children(driveID: drive.id, folderID: parent).first { $0.name == file.name })
            let rebuiltVersions = await tenant.versionContents(driveID: drive.id, itemID: rebuilt.id).map(\.bytes)
            #expect(rebuiltVersions.map(\.count) == versions.map(\.count))
            #expect(rebuiltVersions == versions, "every version, oldest first, byte for byte")

            let last = try await fixture.restoreRunner.runNow(
                RestoreRequest(
                    organizationID: fixture.organization.id,
                    selections: [RestoreSelection(jobID: fixture.job.id, restorePointSequence: point.sequence, driveID: drive.id, itemIDs: [other.id])],
                    documentVersion: .last))
            #expect(last.state == .succeeded)
            let otherParent = try #require(other.parentID)
            let single = try #require(await tenant.children(driveID: drive.id, folderID: otherParent).first { $0.name == other.name })
            let singleVersions = await tenant.versionContents(driveID: drive.id, itemID: single.id).map(\.bytes)
            #expect(singleVersions.count == 1 && singleVersions == [otherBytes], "one version: the one at the point in time")
        }
    }

    @Test("a deleted folder comes back with its subtree, missing parents created, nothing else touched")
    func folderWithMissingParents() async throws {
        try await BackupFixture.with(Self.spec) { fixture in
            let tenant = fixture.simulator.tenant
            let drive = try #require(await tenant.drives().first { $0.kind == .documentLibrary })
            let before = await LiveTree.capture(tenant, driveID: drive.id)
            let deepFolders = before.folders.filter { $0.contains("/") }.sorted()
            let nested = try #require(deepFolders.first, "a folder two levels deep")
            let topName = String(nested.split(separator: "/")[0])
            let top = try #require(await tenant.item(driveID: drive.id, path: topName))
            let nestedItem = try #require(await tenant.item(driveID: drive.id, path: nested))
            _ = try await fixture.backUp()
            let point = try await latestPoint(fixture)
            try await tenant.delete(driveID: drive.id, itemID: top.id)
            let afterDelete = await LiveTree.capture(tenant, driveID: drive.id)

            let run = try await fixture.restoreRunner.runNow(
                RestoreRequest(
                    organizationID: fixture.organization.id,
                    selections: [RestoreSelection(jobID: fixture.job.id, restorePointSequence: point.sequence, driveID: drive.id, itemIDs: [nestedItem.id])]))
            #expect(run.state == .succeeded)
            let after = await LiveTree.capture(tenant, driveID: drive.id)
            let expectedFiles = before.files.filter { $0.key.hasPrefix(nested + "/") }
            #expect(!expectedFiles.isEmpty, "the nested folder holds files")
            for (path, file) in expectedFiles {
                let same = after.files[path]?.bytes == file.bytes
                #expect(same, "\(path) restored byte for byte")
            }
            // Only the restored subtree and its missing parent were added.
            let added = Set(after.files.keys).subtracting(afterDelete.files.keys)
            #expect(added == Set(expectedFiles.keys))
            #expect(after.folders.contains(topName))
            let siblingsOfNested = before.folders.filter { folder in folder.hasPrefix(topName + "/") && !folder.hasPrefix(nested) }
            for sibling in siblingsOfNested {
                let present = after.folders.contains(sibling)
                #expect(!present, "\(sibling) was not selected")
            }
            let subfolders = before.folders.filter { folder in folder.hasPrefix(nested + "/") }.count
            #expect(run.counters.itemsRestored == expectedFiles.count + 1 + subfolders)
        }
    }

    @Test("a OneDrive that no longer exists is skipped with skipUnresolved and failed without it")
    func unresolvedDrive() async throws {
        try await BackupFixture.with(Self.spec) { fixture in
            let tenant = fixture.simulator.tenant
            let drive = try #require(await tenant.drives().first { $0.kind == .business })
            let backedUp = await LiveTree.capture(tenant, driveID: drive.id)
            let items = backedUp.files.count + backedUp.folders.count
            _ = try await fixture.backUp()
            let point = try await latestPoint(fixture)
            try await tenant.deleteDrive(driveID: drive.id)
            let selection = RestoreSelection(jobID: fixture.job.id, restorePointSequence: point.sequence, driveID: drive.id, itemIDs: nil)

            let skipped = try await fixture.restoreRunner.runNow(
                RestoreRequest(organizationID: fixture.organization.id, selections: [selection], skipUnresolved: true))
            #expect(skipped.state == .succeeded)
            #expect(skipped.counters.itemsSkipped == items && skipped.counters.itemsFailed == 0, "every item of the drive is counted")

            let failed = try await fixture.restoreRunner.runNow(
                RestoreRequest(organizationID: fixture.organization.id, selections: [selection], skipUnresolved: false))
            #expect(failed.state == .failed)
            #expect(failed.counters.itemsFailed == items)
            let errors = try await fixture.catalog.runErrorSummary(runID: failed.id)
            #expect(errors.first?.message.contains("no longer exists") == true)
        }
    }

    @Test("a folder that cannot be recreated (a file took its name) fails with everything below it; other drives still restore")
    func failuresAreCountedPerItemAndPerDrive() async throws {
        try await BackupFixture.with(Self.spec) { fixture in
            let tenant = fixture.simulator.tenant
            let library = try #require(await tenant.drives().first { $0.kind == .documentLibrary })
            let oneDrive = try #require(await tenant.drives().first { $0.kind == .business })
            let tree = await LiveTree.capture(tenant, driveID: library.id)
            let folderPath = try #require(tree.folders.filter { !$0.contains("/") }.sorted().first)
            let folder = try #require(await tenant.item(driveID: library.id, path: folderPath))
            let below = tree.files.keys.filter { $0.hasPrefix(folderPath + "/") }.count
                + tree.folders.filter { $0.hasPrefix(folderPath + "/") }.count
            let lost = try #require(await tenant.allFiles(driveID: oneDrive.id).first)
            _ = try await fixture.backUp()
            let point = try await latestPoint(fixture)
            try await tenant.delete(driveID: library.id, itemID: folder.id)
            let root = try #require(await tenant.item(driveID: library.id, path: ""))
            try await tenant.createFile(driveID: library.id, parentID: root.id, name: folder.name, bytes: Array("squatter".utf8))
            try await tenant.delete(driveID: oneDrive.id, itemID: lost.id)

            let run = try await fixture.restoreRunner.runNow(
                RestoreRequest(
                    organizationID: fixture.organization.id,
                    selections: [
                        RestoreSelection(jobID: fixture.job.id, restorePointSequence: 999_999, driveID: oneDrive.id, itemIDs: nil),
                        RestoreSelection(jobID: fixture.job.id, restorePointSequence: point.sequence, driveID: library.id, itemIDs: [folder.id]),
                        RestoreSelection(jobID: fixture.job.id, restorePointSequence: point.sequence, driveID: oneDrive.id, itemIDs: [lost.id]),
                    ]))
            #expect(run.state == .warning)
            #expect(run.counters.itemsFailed == 1 + (1 + below), "the unknown point, and the folder with its \(below) descendants")
            #expect(run.counters.itemsRestored == 1, "the third selection ran after the first two failed")
            let parent = try #require(lost.parentID)
            let restored = await tenant.children(driveID: oneDrive.id, folderID: parent).contains { $0.name == lost.name }
            #expect(restored)
            let squatter = try #require(await tenant.item(driveID: library.id, path: folder.name))
            #expect(await tenant.content(driveID: library.id, itemID: squatter.id) == Array("squatter".utf8), "the file in the way is untouched")
        }
    }

    @Test("each item becomes one event of the restore session that asked for it")
    func sessionEvents() async throws {
        try await BackupFixture.with(Self.spec) { fixture in
            let tenant = fixture.simulator.tenant
            let drive = try #require(await tenant.drives().first { $0.kind == .business })
            _ = try await fixture.backUp()
            let point = try await latestPoint(fixture)
            let session = RestoreSession(
                organizationID: fixture.organization.id, jobID: fixture.job.id, kind: .oneDrive, requestedTime: Date(),
                restorePointSequence: point.sequence, showDeleted: false, showAllVersions: false, initiatedBy: "test",
                name: "OneDrive restore")
            try await fixture.catalog.insertRestoreSession(session)
            let files = Array(await tenant.allFiles(driveID: drive.id).prefix(3))
            for file in files { try await tenant.delete(driveID: drive.id, itemID: file.id) }

            let run = try await fixture.restoreRunner.runNow(
                RestoreRequest(
                    organizationID: fixture.organization.id,
                    selections: [RestoreSelection(jobID: fixture.job.id, restorePointSequence: point.sequence, driveID: drive.id, itemIDs: files.map(\.id) + ["no-such-item"])],
                    restoreSessionID: session.id))
            #expect(run.state == .warning)
            let events = try await fixture.catalog.restoreSessionEvents(sessionID: session.id)
            #expect(events.count == 4)
            #expect(events.filter { $0.status == .success }.compactMap(\.itemName).sorted() == files.map(\.name).sorted())
            #expect(events.filter { $0.status == .failed }.count == 1)
            #expect(events.map(\.order) == Array(0..<4))
            #expect(try await fixture.catalog.restoreSession(id: session.id)?.result == .warning)
        }
    }

    @Test("an organization runs at most three restore jobs at once; a fourth is admitted when one ends")
    func admissionLimit() async throws {
        try await BackupFixture.with(Self.spec) { fixture in
            let request = RestoreRequest(organizationID: fixture.organization.id, selections: [])
            var queued: [JobRun] = []
            for _ in 0..<3 { queued.append(try await fixture.restoreRunner.enqueue(request)) }
            await #expect(throws: EngineError.tooManyRestoreJobs(limit: 3)) {
                try await fixture.restoreRunner.enqueue(request)
            }
            #expect(Set(queued.map(\.externalID)).count == 3)
            #expect(queued.allSatisfy { $0.externalID.wholeMatch(of: /RS\d{18}/) != nil })
            let finished = try await fixture.restoreRunner.execute(queued[0])
            #expect(finished.state == .succeeded)
            _ = try await fixture.restoreRunner.enqueue(request)
        }
    }

    private func latestPoint(_ fixture: BackupFixture) async throws -> RestorePoint {
        try #require(try await fixture.catalog.restorePoints(RestorePointFilter(jobID: fixture.job.id)).first)
    }
}

/// A drive's live tree by path (relative to the root, `/`-separated): files with bytes, and folders.
struct LiveTree {
    struct File {
        var id: String
        var bytes: [UInt8]
    }

    var files: [String: File] = [:]
    var folders: Set<String> = []
    private var pathsByID: [String: String] = [:]
    private var parentByPath: [String: String] = [:]

    static func capture(_ tenant: SimulatedTenant, driveID: String) async -> LiveTree {
        var tree = LiveTree()
        guard let root = await tenant.item(driveID: driveID, path: "") else { return tree }
        var pending: [(id: String, path: String)] = [(root.id, "")]
        while let (folderID, folderPath) = pending.popLast() {
            for child in await tenant.children(driveID: driveID, folderID: folderID) {
                let path = folderPath.isEmpty ? child.name : folderPath + "/" + child.name
                tree.pathsByID[child.id] = path
                tree.parentByPath[path] = folderID
                if child.isFolder {
                    tree.folders.insert(path)
                    pending.append((child.id, path))
                } else {
                    tree.files[path] = File(id: child.id, bytes: await tenant.content(driveID: driveID, itemID: child.id) ?? [])
                }
            }
        }
        return tree
    }

    func path(of itemID: String) -> String? { pathsByID[itemID] }

    /// Paths of the direct children of a folder id.
    func children(of folderID: String) -> [String] { parentByPath.filter { $0.value == folderID }.map(\.key) }
}
