import Foundation
import M365Simulator
import NIOHTTP1
import QuickXorHash
import Testing

@Suite("Downloads, versions, uploads and folder operations over HTTP")
struct TransferTests {
    @Test("content answers 302 to a download URL that needs no auth, honours Range, and hashes to quickXorHash")
    func download() async throws {
        try await SimulatorHarness.with { h in
            let tenant = h.simulator.tenant
            let drive = try #require(await tenant.drives().first)
            let file = try #require(await tenant.allFiles(driveID: drive.id).max { $0.size < $1.size })
            #expect(file.size > 4 << 20)
            let bytes = try await h.download("/drives/\(drive.id)/items/\(file.id)/content")
            #expect(bytes == (await tenant.content(driveID: drive.id, itemID: file.id)))
            #expect(QuickXorHasher.hash(bytes) == file.quickXorHash)
            let location = try #require(try await h.get("/drives/\(drive.id)/items/\(file.id)/content").headers.first(name: "Location"))
            let tail = try await h.get(location, headers: [("Range", "bytes=1000-")], authorized: false)
            #expect(tail.status == 206)
            #expect(tail.body == Array(bytes[1000...]))
            #expect(tail.headers.first(name: "Content-Range") == "bytes 1000-\(bytes.count - 1)/\(bytes.count)")
            let middle = try await h.get(location, headers: [("Range", "bytes=10-19")], authorized: false)
            #expect(middle.body == Array(bytes[10...19]))
            let beyond = try await h.get(location, headers: [("Range", "bytes=\(bytes.count)-")], authorized: false)
            #expect(beyond.status == 416)
        }
    }

    @Test("download URLs expire with 401")
    func downloadExpiry() async throws {
        try await SimulatorHarness.with(configure: { $0.downloadURLLifetime = .zero }) { h in
            let drive = try #require(await h.simulator.tenant.drives().first)
            let file = try #require(await h.simulator.tenant.allFiles(driveID: drive.id).first)
            let redirect = try await h.get("/drives/\(drive.id)/items/\(file.id)/content")
            let location = try #require(redirect.headers.first(name: "Location"))
            #expect(try await h.get(location, authorized: false).status == 401)
        }
    }

    @Test("versions list newest first and each version downloads its own bytes")
    func versions() async throws {
        try await SimulatorHarness.with { h in
            let tenant = h.simulator.tenant
            let drive = try #require(await tenant.drives().first)
            let file = try #require(await tenant.allFiles(driveID: drive.id).first { $0.size > 0 })
            try await tenant.updateContent(driveID: drive.id, itemID: file.id, bytes: Array("v-next".utf8))
            let expected = await tenant.versionContents(driveID: drive.id, itemID: file.id)
            let listed = try await h.get("/drives/\(drive.id)/items/\(file.id)/versions").json["value"] as? [[String: Any]] ?? []
            #expect(listed.compactMap { $0["id"] as? String } == expected.reversed().map(\.id))
            #expect(listed.first?["size"] as? Int == 6)
            for version in expected {
                let bytes = try await h.download("/drives/\(drive.id)/items/\(file.id)/versions/\(version.id)/content")
                #expect(bytes == version.bytes)
            }
            #expect(try await h.get("/drives/\(drive.id)/items/\(file.id)/versions/99.0/content").status == 404)
        }
    }

    @Test("items resolve by id and by path; unknown ids are itemNotFound")
    func addressing() async throws {
        try await SimulatorHarness.with { h in
            let tenant = h.simulator.tenant
            let drive = try #require(await tenant.drives().first)
            let folder = try await tenant.createFolder(driveID: drive.id, parentID: drive.rootItemID, name: "Ä folder")
            let file = try await tenant.createFile(driveID: drive.id, parentID: folder.id, name: "a b.txt", bytes: [1])
            let byPath = try await h.get("/drives/\(drive.id)/root:/%C3%84%20folder/a%20b.txt")
            #expect(byPath.json["id"] as? String == file.id)
            let relative = try await h.get("/drives/\(drive.id)/items/\(folder.id):/a%20b.txt:")
            #expect(relative.json["id"] as? String == file.id)
            let children = try await h.get("/drives/\(drive.id)/items/\(folder.id)/children").json["value"] as? [[String: Any]]
            #expect(children?.compactMap { $0["id"] as? String } == [file.id])
            #expect(try await h.get("/drives/\(drive.id)/root").json["root"] != nil)
            #expect(try await h.get("/drives/\(drive.id)").json["id"] as? String == drive.id)
            let missing = try await h.get("/drives/\(drive.id)/items/01NOPE")
            #expect(missing.status == 404)
            #expect(errorCode(missing) == "itemNotFound")
        }
    }

    @Test("simple upload creates (201) then replaces (200) adding a version; conflict fail and rename behave")
    func simpleUpload() async throws {
        try await SimulatorHarness.with { h in
            let tenant = h.simulator.tenant
            let drive = try #require(await tenant.drives().first)
            let path = "/drives/\(drive.id)/items/\(drive.rootItemID):/Up%20load.txt:/content"
            let created = try await h.send(.PUT, path, body: Array("one".utf8))
            #expect(created.status == 201)
            let id = try #require(created.json["id"] as? String)
            #expect((created.json["file"] as? [String: Any]).flatMap { ($0["hashes"] as? [String: Any])?["quickXorHash"] as? String }
                == QuickXorHasher.hash(Array("one".utf8)))
            let replaced = try await h.send(.PUT, path, body: Array("two".utf8))
            #expect(replaced.status == 200)
            #expect(replaced.json["id"] as? String == id)
            #expect(await tenant.versionContents(driveID: drive.id, itemID: id).map(\.bytes) == [Array("one".utf8), Array("two".utf8)])
            let failed = try await h.send(.PUT, path + "?@microsoft.graph.conflictBehavior=fail", body: [1])
            #expect(failed.status == 409)
            #expect(errorCode(failed) == "nameAlreadyExists")
            let renamed = try await h.send(.PUT, path + "?@microsoft.graph.conflictBehavior=rename", body: [1])
            #expect(renamed.status == 201)
            #expect(renamed.json["name"] as? String == "Up load 1.txt")
            let direct = try await h.send(.PUT, "/drives/\(drive.id)/items/\(id)/content", body: Array("three".utf8))
            #expect(direct.status == 200)
            #expect(await tenant.content(driveID: drive.id, itemID: id) == Array("three".utf8))
        }
    }

    @Test("upload sessions enforce 320 KiB fragments and order, report status, and commit the bytes")
    func uploadSession() async throws {
        try await SimulatorHarness.with { h in
            let tenant = h.simulator.tenant
            let drive = try #require(await tenant.drives().first)
            let payload = (0..<(327_680 * 2 + 1000)).map { UInt8(truncatingIfNeeded: $0 &* 7) }
            let session = try await h.send(
                .POST, "/drives/\(drive.id)/items/\(drive.rootItemID):/Big%20file.bin:/createUploadSession",
                json: ["item": ["@microsoft.graph.conflictBehavior": "fail", "fileSystemInfo": ["lastModifiedDateTime": "2020-05-01T10:00:00Z"]]])
            #expect(session.status == 200)
            let uploadURL = try #require(session.json["uploadUrl"] as? String)
            #expect(session.json["nextExpectedRanges"] as? [String] == ["0-"])
            func put(_ range: Range<Int>) async throws -> SimulatorHarness.Reply {
                try await h.send(
                    .PUT, uploadURL, headers: [("Content-Range", "bytes \(range.lowerBound)-\(range.upperBound - 1)/\(payload.count)")],
                    body: Array(payload[range]), authorized: false)
            }
            let misaligned = try await put(0..<100_000)
            #expect(misaligned.status == 400)
            #expect(errorCode(misaligned) == "invalidRequest")
            let first = try await put(0..<327_680)
            #expect(first.status == 202)
            #expect(first.json["nextExpectedRanges"] as? [String] == ["327680-"])
            let outOfOrder = try await put(655_360..<payload.count)
            #expect(outOfOrder.status == 416)
            let status = try await h.get(uploadURL, authorized: false)
            #expect(status.json["nextExpectedRanges"] as? [String] == ["327680-"])
            #expect(try await put(327_680..<655_360).status == 202)
            let done = try await put(655_360..<payload.count)
            #expect(done.status == 201)
            let id = try #require(done.json["id"] as? String)
            #expect(await tenant.content(driveID: drive.id, itemID: id) == payload)
            let fsInfo = done.json["fileSystemInfo"] as? [String: Any]
            #expect(fsInfo?["lastModifiedDateTime"] as? String == "2020-05-01T10:00:00Z")

            let clash = try await h.send(
                .POST, "/drives/\(drive.id)/items/\(drive.rootItemID):/Big%20file.bin:/createUploadSession",
                json: ["item": ["@microsoft.graph.conflictBehavior": "fail"]])
            #expect(clash.status == 409)
            #expect(errorCode(clash) == "nameAlreadyExists")
            let renameSession = try await h.send(
                .POST, "/drives/\(drive.id)/items/\(drive.rootItemID):/Big%20file.bin:/createUploadSession",
                json: ["item": ["@microsoft.graph.conflictBehavior": "rename"]])
            let renameURL = try #require(renameSession.json["uploadUrl"] as? String)
            let renamed = try await h.send(.PUT, renameURL, headers: [("Content-Range", "bytes 0-2/3")], body: [1, 2, 3], authorized: false)
            #expect(renamed.status == 201)
            #expect(renamed.json["name"] as? String == "Big file 1.bin")
            let replaceSession = try await h.send(
                .POST, "/drives/\(drive.id)/items/\(drive.rootItemID):/Big%20file.bin:/createUploadSession",
                json: ["item": ["@microsoft.graph.conflictBehavior": "replace"]])
            let replaceURL = try #require(replaceSession.json["uploadUrl"] as? String)
            let replaced = try await h.send(.PUT, replaceURL, headers: [("Content-Range", "bytes 0-1/2")], body: [7, 7], authorized: false)
            #expect(replaced.status == 200)
            #expect(replaced.json["id"] as? String == id)
            #expect(await tenant.versionContents(driveID: drive.id, itemID: id).count == 2)

            let cancelled = try await h.send(
                .POST, "/drives/\(drive.id)/items/\(drive.rootItemID):/Cancel.bin:/createUploadSession", json: [:])
            let cancelURL = try #require(cancelled.json["uploadUrl"] as? String)
            #expect(try await h.send(.DELETE, cancelURL, authorized: false).status == 204)
            #expect(try await h.get(cancelURL, authorized: false).status == 404)
        }
    }

    @Test("folders are created, renamed, moved and deleted through Graph")
    func folderOperations() async throws {
        try await SimulatorHarness.with { h in
            let tenant = h.simulator.tenant
            let drive = try #require(await tenant.drives().first)
            let body: [String: Any] = ["name": "New folder", "folder": [String: Any](), "@microsoft.graph.conflictBehavior": "fail"]
            let created = try await h.send(.POST, "/drives/\(drive.id)/items/\(drive.rootItemID)/children", json: body)
            #expect(created.status == 201)
            #expect(created.json["folder"] != nil)
            let folderID = try #require(created.json["id"] as? String)
            let clash = try await h.send(.POST, "/drives/\(drive.id)/items/\(drive.rootItemID)/children", json: body)
            #expect(clash.status == 409)
            var renameBody = body
            renameBody["@microsoft.graph.conflictBehavior"] = "rename"
            let second = try await h.send(.POST, "/drives/\(drive.id)/root/children", json: renameBody)
            #expect(second.json["name"] as? String == "New folder 1")
            let secondID = try #require(second.json["id"] as? String)
            let patched = try await h.send(
                .PATCH, "/drives/\(drive.id)/items/\(secondID)",
                json: ["name": "Inner", "parentReference": ["id": folderID], "fileSystemInfo": ["createdDateTime": "2019-01-02T03:04:05Z"]])
            #expect(patched.status == 200)
            #expect(await tenant.item(driveID: drive.id, path: "New folder/Inner")?.id == secondID)
            #expect(await tenant.item(driveID: drive.id, path: "New folder/Inner")?.fileSystemCreatedAt
                == Date(timeIntervalSince1970: 1_546_398_245))
            #expect(try await h.send(.DELETE, "/drives/\(drive.id)/items/\(folderID)").status == 204)
            #expect(await tenant.item(driveID: drive.id, itemID: secondID) == nil)
            #expect(try await h.get("/drives/\(drive.id)/items/\(folderID)").status == 404)
        }
    }
}
