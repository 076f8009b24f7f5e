import Foundation
import M365Simulator
import NIOHTTP1
import Testing

@Suite("root/delta pages the drive and then reports exactly the changes")
struct DeltaTests {
    @Test("a full enumeration pages with $top, starts with the root, puts parents first, and omits parentReference.path")
    func fullEnumeration() async throws {
        try await SimulatorHarness.with { h in
            let drive = try #require(await h.simulator.tenant.drives().first)
            let full = try await h.fullDelta("/drives/\(drive.id)/root/delta?$top=5")
            let items = full.items
            let deltaLink = full.deltaLink
            let pages = full.pages
            let files = await h.simulator.tenant.allFiles(driveID: drive.id)
            #expect(pages == (items.count + 4) / 5)
            #expect(items.first?.isRoot == true)
            #expect(items.filter(\.isFile).count == files.count)
            var seen: Set<String> = []
            for item in items {
                #expect(!item.hasParentPath)
                #expect(item.parentDriveID == drive.id)
                if let parentID = item.parentID { #expect(seen.contains(parentID)) }
                seen.insert(item.id)
                if item.isFile {
                    #expect(item.quickXorHash != nil)
                    #expect(item.cTag != nil)
                    #expect(item.downloadURL != nil)
                } else {
                    #expect(item.cTag == nil)
                    #expect(item.childCount != nil)
                }
            }
            #expect(deltaLink.contains("token="))
            let empty = try await h.fullDelta(deltaLink)
            #expect(empty.items.isEmpty)
        }
    }

    @Test("edit, rename, move and folder delete each show up exactly once in the next delta")
    func incremental() async throws {
        try await SimulatorHarness.with { h in
            let tenant = h.simulator.tenant
            let drive = try #require(await tenant.drives().first)
            let initial = try await h.fullDelta("/drives/\(drive.id)/root/delta")
            let link0 = initial.deltaLink
            let files = await tenant.allFiles(driveID: drive.id)

            let edited = try await tenant.updateContent(driveID: drive.id, itemID: files[0].id, bytes: Array("changed".utf8))
            let afterEdit = try await h.fullDelta(link0)
            #expect(afterEdit.items.map(\.id) == [edited.id])
            #expect(afterEdit.items.first?.cTag == edited.cTag)
            #expect(afterEdit.items.first?.size == 7)

            let renamed = try await tenant.rename(driveID: drive.id, itemID: files[1].id, to: "Renamed ü.txt")
            let afterRename = try await h.fullDelta(afterEdit.deltaLink)
            #expect(afterRename.items.map(\.id) == [renamed.id])
            #expect(afterRename.items.first?.name == "Renamed ü.txt")
            #expect(afterRename.items.first?.cTag == files[1].cTag)

            let folder = try await tenant.createFolder(driveID: drive.id, parentID: drive.rootItemID, name: "Moved here")
            let moved = try await tenant.move(driveID: drive.id, itemID: files[2].id, toParent: folder.id)
            let afterMove = try await h.fullDelta(afterRename.deltaLink)
            #expect(afterMove.items.map(\.id) == [folder.id, moved.id])
            #expect(afterMove.items.last?.parentID == folder.id)

            let child = try await tenant.createFile(driveID: drive.id, parentID: folder.id, name: "inner.txt", bytes: [1, 2, 3])
            let afterCreate = try await h.fullDelta(afterMove.deltaLink)
            try await tenant.delete(driveID: drive.id, itemID: folder.id)
            let afterDelete = try await h.fullDelta(afterCreate.deltaLink)
            let deletedIDs = Set(afterDelete.items.map(\.id))
            #expect(deletedIDs == [folder.id, moved.id, child.id])
            for item in afterDelete.items {
                #expect(item.isDeleted)
                #expect(item.cTag == nil)
            }
        }
    }

    @Test("changes made while paging appear in the next delta, and expired tokens answer 410")
    func consistencyAndResync() async throws {
        try await SimulatorHarness.with { h in
            let tenant = h.simulator.tenant
            let drive = try #require(await tenant.drives().first)
            let first = try await h.get("/drives/\(drive.id)/root/delta?$top=3")
            let next = try #require(first.json["@odata.nextLink"] as? String)
            let file = try await tenant.createFile(driveID: drive.id, parentID: drive.rootItemID, name: "during.txt", bytes: [9])
            var url = next
            var link = ""
            var ids: [String] = []
            while link.isEmpty {
                let page = try await h.get(url)
                ids += (page.json["value"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
                if let n = page.json["@odata.nextLink"] as? String { url = n } else { link = page.json["@odata.deltaLink"] as? String ?? "?" }
            }
            #expect(!ids.contains(file.id))
            let after = try await h.fullDelta(link)
            #expect(after.items.map(\.id) == [file.id])
            await tenant.expireDeltaTokens(driveID: drive.id)
            let gone = try await h.get(after.deltaLink)
            #expect(gone.status == 410)
            #expect(errorCode(gone) == "resyncRequired")
            #expect(gone.headers.first(name: "Location")?.contains("/drives/\(drive.id)/root/delta?token=") == true)
        }
    }
}
