import Foundation
@testable import M365Simulator
import Testing

/// Microsoft's generated Graph SDKs (Kiota: msgraph-sdk for Python, Go, .NET, Java) expand every id into its URL template
/// as an RFC 6570 simple string: everything but the unreserved characters is percent-encoded, path-based ids included.
/// The shapes below are what msgraph-sdk 1.x printed for these calls (`to_get_request_information().url`), e.g.
/// `drives.by_drive_id("b!abc").items.by_drive_item_id("root:/Docs/A b#%.txt:")` →
/// `/drives/b%21abc/items/root%3A%2FDocs%2FA%20b%23%25.txt%3A`, `items.by_drive_item_id("root").delta` →
/// `/drives/b%21abc/items/root/delta()`, `delta_with_token("abc")` → `/drives/b%21abc/items/root/delta(token='abc')`,
/// `sites.by_site_id("contoso.sharepoint.com:/sites/Finance:")` → `/sites/contoso.sharepoint.com%3A%2Fsites%2FFinance%3A`.
private func sdkEncoded(_ id: String) -> String {
    id.addingPercentEncoding(withAllowedCharacters: CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~"))!
}

@Suite("The simulator accepts every address form Graph and its generated SDKs use")
struct SDKAddressingTests {
    @Test(
        "canonical form: decoded once, function calls made plain, segments re-encoded as Lifeboat's client writes them",
        arguments: [
            ("/v1.0/drives/b!x/root/delta", "", "/v1.0/drives/b!x/root/delta", ""),
            ("/v1.0/drives/b%21x/items/root/delta()", "", "/v1.0/drives/b!x/items/root/delta", ""),
            ("/v1.0/drives/b%21x/items/root/delta(token='abc')", "$top=5", "/v1.0/drives/b!x/items/root/delta", "$top=5&token=abc"),
            ("/v1.0/drives/x/root/delta(token='it''s%20a')", "", "/v1.0/drives/x/root/delta", "token=it%27s%20a"),
            ("/v1.0/drives/x/items/root%3A%2FDocs%2FA%20b%23%25.txt%3A", "", "/v1.0/drives/x/items/root:/Docs/A%20b%23%25.txt:", ""),
            ("/v1.0/drives/x/root:/Report(1).docx:/content", "", "/v1.0/drives/x/root:/Report(1).docx:/content", ""),
            ("/v1.0/drives/x/root:/delta(1):", "", "/v1.0/drives/x/root:/delta(1):", ""),
            ("/v1.0/drives/x/items/bad%zz", "", "/v1.0/drives/x/items/bad%zz", ""),
            ("/download/abc%3D", "", "/download/abc%3D", ""),
        ])
    func canonicalForm(path: String, query: String, expectedPath: String, expectedQuery: String) {
        let canonical = GraphRequestPath.canonical(path: path, query: query)
        #expect(canonical.path == expectedPath)
        #expect(canonical.query == expectedQuery)
    }

    @Test("items addressed by percent-encoded path-based ids resolve, list, download and give versions")
    func encodedItemPaths() async throws {
        try await SimulatorHarness.with { h in
            let tenant = h.simulator.tenant
            let drive = try #require(await tenant.drives().first)
            let folder = try await tenant.createFolder(driveID: drive.id, parentID: drive.rootItemID, name: "Ä folder")
            let file = try await tenant.createFile(driveID: drive.id, parentID: folder.id, name: "A b#%.txt", bytes: Array("first".utf8))
            _ = try await tenant.updateContent(driveID: drive.id, itemID: file.id, bytes: Array("second".utf8))
            let base = "/drives/\(sdkEncoded(drive.id))/items"

            let byPath = try await h.get("\(base)/\(sdkEncoded("root:/Ä folder/A b#%.txt:"))")
            #expect(byPath.status == 200)
            #expect(byPath.json["id"] as? String == file.id)
            let relative = try await h.get("\(base)/\(sdkEncoded("\(folder.id):/A b#%.txt:"))")
            #expect(relative.json["id"] as? String == file.id)
            #expect(try await h.download("\(base)/\(sdkEncoded("root:/Ä folder/A b#%.txt:"))/content") == Array("second".utf8))
            let children = try await h.get("\(base)/\(sdkEncoded(folder.id))/children").json["value"] as? [[String: Any]]
            #expect(children?.compactMap { $0["id"] as? String } == [file.id])
            let versions = try await h.get("\(base)/\(sdkEncoded(file.id))/versions").json["value"] as? [[String: Any]] ?? []
            let oldest = try #require(versions.last?["id"] as? String)
            #expect(try await h.download("\(base)/\(sdkEncoded(file.id))/versions/\(sdkEncoded(oldest))/content") == Array("first".utf8))
            // Still decoded once: a name holding an escape is not decoded twice.
            let literal = try await tenant.createFile(driveID: drive.id, parentID: drive.rootItemID, name: "100%41.txt", bytes: [1])
            #expect(try await h.get("\(base)/\(sdkEncoded("root:/100%41.txt:"))").json["id"] as? String == literal.id)
        }
    }

    @Test("delta in function-call syntax, on items/root and the root's id, with a token argument, and through users and sites")
    func deltaForms() async throws {
        try await SimulatorHarness.with { h in
            let tenant = h.simulator.tenant
            let user = try #require(await tenant.users().first)
            let drive = try #require(await tenant.drives().first { $0.id == user.driveID })
            let encodedDrive = sdkEncoded(drive.id)
            let plain = try await h.fullDelta("/drives/\(drive.id)/root/delta")
            let expected = Set(plain.items.map(\.id))
            #expect(!expected.isEmpty)
            for start in [
                "/drives/\(encodedDrive)/items/root/delta()", "/drives/\(encodedDrive)/root/delta()",
                "/drives/\(encodedDrive)/items/\(sdkEncoded(drive.rootItemID))/delta()", "/drives/\(drive.id)/items/root/delta",
                "/users/\(sdkEncoded(user.upn))/drive/root/delta()", "/users/\(user.id)/drives/\(encodedDrive)/root/delta",
            ] {
                let listed = try await h.fullDelta(start)
                #expect(Set(listed.items.map(\.id)) == expected, "\(start)")
            }

            // The SDK's delta_with_token puts the delta link's token into the function call.
            let components = try #require(URLComponents(string: plain.deltaLink))
            let token = try #require(components.queryItems?.first { $0.name == "token" }?.value)
            let changed = try await tenant.createFile(driveID: drive.id, parentID: drive.rootItemID, name: "new.txt", bytes: [7])
            let since = try await h.fullDelta("/drives/\(encodedDrive)/items/root/delta(token='\(token)')")
            #expect(since.items.map(\.id) == [changed.id])

            let folder = try await tenant.createFolder(driveID: drive.id, parentID: drive.rootItemID, name: "Sub")
            let onFolder = try await h.get("/drives/\(encodedDrive)/items/\(sdkEncoded(folder.id))/delta()")
            #expect(onFolder.status == 400)
            #expect(errorCode(onFolder) == "invalidRequest")
        }
    }

    @Test("sites addressed by an encoded hostname path or an encoded id, and their drives' items")
    func encodedSites() async throws {
        try await SimulatorHarness.with { h in
            let site = try await h.get("/sites/\(sdkEncoded("contoso.sharepoint.com:/sites/Finance:"))")
            #expect(site.status == 200)
            #expect(site.json["webUrl"] as? String == "https://contoso.sharepoint.com/sites/Finance")
            let id = try #require(site.json["id"] as? String)
            #expect(try await h.get("/sites/\(sdkEncoded(id))").json["id"] as? String == id)
            let drives = try await h.get("/sites/\(sdkEncoded("contoso.sharepoint.com:/sites/Finance:"))/drives")
                .json["value"] as? [[String: Any]] ?? []
            let driveID = try #require(drives.first?["id"] as? String)
            #expect(try await h.get("/sites/\(sdkEncoded(id))/sites").status == 200)
            #expect(try await h.get("/sites/\(sdkEncoded(id))/drives/\(sdkEncoded(driveID))").json["id"] as? String == driveID)

            let expected = Set(try await h.fullDelta("/drives/\(driveID)/root/delta").items.map(\.id))
            let viaPath = try await h.fullDelta("/sites/\(sdkEncoded("contoso.sharepoint.com:/sites/Finance:"))/drive/root/delta()")
            #expect(Set(viaPath.items.map(\.id)) == expected)
            let viaID = try await h.fullDelta("/sites/\(sdkEncoded(id))/drives/\(sdkEncoded(driveID))/items/root/delta()")
            #expect(Set(viaID.items.map(\.id)) == expected)
            let root = try await h.get("/sites/\(id)/drive/root")
            #expect(root.json["root"] != nil)

            let unknownDrive = try await h.get("/sites/\(sdkEncoded(id))/drives/nope/root")
            #expect(unknownDrive.status == 404)
        }
    }
}
