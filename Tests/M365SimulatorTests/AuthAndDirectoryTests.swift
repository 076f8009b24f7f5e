import Foundation
import M365Simulator
import NIOHTTP1
import Testing

@Suite("Token flow, authentication, users, sites and drives")
struct AuthAndDirectoryTests {
    @Test("client credentials yield a bearer token; a wrong secret is invalid_client")
    func tokenFlow() async throws {
        try await SimulatorHarness.with { h in
            let good = try await SimulatorHarness.fetchToken(client: h.client, simulator: h.simulator, secret: h.simulator.clientSecret)
            #expect(good.status == 200)
            #expect(good.json["token_type"] as? String == "Bearer")
            #expect((good.json["expires_in"] as? Int ?? 0) > 3000)
            #expect((good.json["access_token"] as? String)?.isEmpty == false)
            let bad = try await SimulatorHarness.fetchToken(client: h.client, simulator: h.simulator, secret: "wrong")
            #expect(bad.status == 401)
            #expect(bad.json["error"] as? String == "invalid_client")
            let unknownTenant = try await SimulatorHarness.fetchToken(
                client: h.client, simulator: h.simulator, secret: h.simulator.clientSecret, tenant: "nope")
            #expect(unknownTenant.status == 400)
        }
    }

    @Test("Graph endpoints need a valid, unexpired bearer token")
    func authFailures() async throws {
        try await SimulatorHarness.with { h in
            let missing = try await h.get("/users", authorized: false)
            #expect(missing.status == 401)
            #expect(errorCode(missing) == "InvalidAuthenticationToken")
            let inner = (missing.json["error"] as? [String: Any])?["innerError"] as? [String: Any]
            #expect(inner?["request-id"] is String)
            #expect(inner?["date"] is String)
            let forged = try await h.get("/users", headers: [("Authorization", "Bearer forged")], authorized: false)
            #expect(forged.status == 401)
            #expect(try await h.get("/users").status == 200)
        }
        try await SimulatorHarness.with(configure: { $0.accessTokenLifetime = .zero }) { h in
            let expired = try await h.get("/users")
            #expect(expired.status == 401)
            #expect(errorCode(expired) == "InvalidAuthenticationToken")
        }
    }

    @Test("users page with $top and nextLink; each user has a business drive")
    func usersAndDrives() async throws {
        try await SimulatorHarness.with { h in
            let first = try await h.get("/users?$top=2")
            let page1 = first.json["value"] as? [[String: Any]] ?? []
            #expect(page1.count == 2)
            let next = try #require(first.json["@odata.nextLink"] as? String)
            let second = try await h.get(next)
            let page2 = second.json["value"] as? [[String: Any]] ?? []
            #expect(page2.count == 1)
            #expect(second.json["@odata.nextLink"] == nil)
            let upn = try #require(page1[0]["userPrincipalName"] as? String)
            let drive = try await h.get("/users/\(upn)/drive")
            #expect(drive.status == 200)
            #expect(drive.json["driveType"] as? String == "business")
            let owner = (drive.json["owner"] as? [String: Any])?["user"] as? [String: Any]
            #expect(owner?["email"] as? String == upn)
            let byID = try await h.get("/users/\(page1[0]["id"] as? String ?? "")/drive")
            #expect(byID.json["id"] as? String == drive.json["id"] as? String)
            #expect(try await h.get("/users/nobody@contoso.onmicrosoft.com/drive").status == 404)
        }
    }

    @Test("sites resolve by URL and id, list libraries and subsites, and search lists collections only")
    func sites() async throws {
        try await SimulatorHarness.with { h in
            let search = try await h.get("/sites?search=*")
            let collections = search.json["value"] as? [[String: Any]] ?? []
            #expect(collections.count == 2)
            let site = try await h.get("/sites/contoso.sharepoint.com:/sites/Finance")
            #expect(site.status == 200)
            #expect(site.json["displayName"] as? String == "Finance")
            let id = try #require(site.json["id"] as? String)
            #expect(id.split(separator: ",").count == 3)
            let encoded = id.replacingOccurrences(of: ",", with: "%2C")
            #expect(try await h.get("/sites/\(encoded)").json["webUrl"] as? String == "https://contoso.sharepoint.com/sites/Finance")
            let drives = try await h.get("/sites/\(id)/drives").json["value"] as? [[String: Any]] ?? []
            #expect(drives.map { $0["name"] as? String } == ["Documents"])
            #expect(drives.first?["driveType"] as? String == "documentLibrary")
            let subsites = try await h.get("/sites/\(id)/sites").json["value"] as? [[String: Any]] ?? []
            #expect(subsites.count == 1)
            let subURL = try #require(subsites.first?["webUrl"] as? String)
            #expect(subURL.hasPrefix("https://contoso.sharepoint.com/sites/Finance/"))
            let subPath = subURL.replacingOccurrences(of: "https://contoso.sharepoint.com", with: "")
            #expect(try await h.get("/sites/contoso.sharepoint.com:\(subPath)").json["id"] as? String == subsites.first?["id"] as? String)
            let missing = try await h.get("/sites/contoso.sharepoint.com:/sites/Nope")
            #expect(missing.status == 404)
            #expect(errorCode(missing) == "itemNotFound")
        }
    }

    @Test("the request log records calls with method, path, query and status")
    func requestLog() async throws {
        try await SimulatorHarness.with { h in
            await h.simulator.requestLog.reset()
            _ = try await h.get("/users?$top=1")
            _ = try await h.get("/users/ghost/drive")
            let entries = await h.simulator.requestLog.entries()
            #expect(entries.count == 2)
            #expect(entries[0] == LoggedRequest(method: "GET", path: "/v1.0/users", query: "$top=1", status: 200))
            #expect(entries[1].status == 404)
        }
    }

    @Test("the admin API exposes credentials and mutates the tenant")
    func admin() async throws {
        try await SimulatorHarness.with { h in
            let info = try await h.get(h.simulator.baseURL + "/_admin/tenant", authorized: false)
            #expect(info.json["clientSecret"] as? String == h.simulator.clientSecret)
            let driveID = try #require((info.json["drives"] as? [[String: Any]])?.first?["id"] as? String)
            let created = try await h.send(
                .POST, h.simulator.baseURL + "/_admin/drives/\(driveID)/files",
                json: ["parentPath": "", "name": "From admin.txt", "text": "hello"], authorized: false)
            #expect(created.status == 201)
            let itemID = try #require(created.json["id"] as? String)
            #expect(await h.simulator.tenant.content(driveID: driveID, itemID: itemID) == Array("hello".utf8))
            let patched = try await h.send(
                .PATCH, h.simulator.baseURL + "/_admin/drives/\(driveID)/items/\(itemID)", json: ["name": "Renamed.txt", "text": "bye"],
                authorized: false)
            #expect(patched.json["name"] as? String == "Renamed.txt")
            #expect(await h.simulator.tenant.content(driveID: driveID, itemID: itemID) == Array("bye".utf8))
            let deleted = try await h.send(.DELETE, h.simulator.baseURL + "/_admin/drives/\(driveID)/items/\(itemID)", authorized: false)
            #expect(deleted.status == 204)
            #expect(await h.simulator.tenant.item(driveID: driveID, itemID: itemID) == nil)
        }
    }
}
