import Foundation
@testable import M365Simulator
import NIOHTTP1
import Testing

@Suite("Sharing permissions: the shared facet, /permissions, invite, createLink, inheritance and delta's sharing changes")
struct SharingTests {
    @Test("a generated OneDrive's first folder is shared with a colleague, inherited below it; its first file has an organization link")
    func seededSharing() async throws {
        try await SimulatorHarness.with { h in
            let tenant = h.simulator.tenant
            let users = await tenant.users()
            let user = try #require(users.first)
            let colleague = users[1]
            let listing = try await h.get("/drives/\(user.driveID)/root/children").json["value"] as? [[String: Any]] ?? []
            let folder = try #require(listing.first { $0["folder"] != nil })
            let folderID = try #require(folder["id"] as? String)
            #expect((folder["shared"] as? [String: Any])?["scope"] as? String == "users")

            let granted = try await h.get("/drives/\(user.driveID)/items/\(folderID)/permissions").json["value"] as? [[String: Any]] ?? []
            #expect(granted.count == 1)
            #expect(granted.first?["roles"] as? [String] == ["write"])
            let grantee = ((granted.first?["grantedToV2"] as? [String: Any])?["user"] as? [String: Any])
            #expect(grantee?["email"] as? String == colleague.upn)
            #expect(granted.first?["inheritedFrom"] == nil)

            let children = try await h.get("/drives/\(user.driveID)/items/\(folderID)/children").json["value"] as? [[String: Any]] ?? []
            let child = try #require(children.first)
            #expect((child["shared"] as? [String: Any])?["scope"] as? String == "users")
            let inherited = try await h.get("/drives/\(user.driveID)/items/\(child["id"] as? String ?? "")/permissions")
                .json["value"] as? [[String: Any]] ?? []
            #expect((inherited.first?["inheritedFrom"] as? [String: Any])?["id"] as? String == folderID)

            let file = try #require(listing.first { $0["file"] != nil })
            #expect((file["shared"] as? [String: Any])?["scope"] as? String == "organization")
            let unshared = listing.filter { $0["shared"] == nil }
            #expect(!unshared.isEmpty)
        }
    }

    @Test("invite, change roles, remove; createLink once per type and scope; inherited permissions cannot be removed below")
    func grantAndRemove() async throws {
        try await SimulatorHarness.with { h in
            let tenant = h.simulator.tenant
            let users = await tenant.users()
            let drive = try #require(await tenant.drives().first { $0.id == users[0].driveID })
            let folder = try await tenant.createFolder(driveID: drive.id, parentID: drive.rootItemID, name: "Plans")
            let file = try await tenant.createFile(driveID: drive.id, parentID: folder.id, name: "plan.txt", bytes: [1, 2])
            let base = "/drives/\(drive.id)/items/\(folder.id)"
            #expect(try await h.get(base).json["shared"] == nil)

            let invited = try await h.send(
                .POST, "\(base)/invite",
                json: ["recipients": [["email": users[2].upn]], "roles": ["read"], "requireSignIn": true, "sendInvitation": false])
            #expect(invited.status == 200)
            let permission = try #require((invited.json["value"] as? [[String: Any]])?.first)
            let permissionID = try #require(permission["id"] as? String)
            #expect((try await h.get(base).json["shared"] as? [String: Any])?["scope"] as? String == "users")

            let patched = try await h.send(.PATCH, "\(base)/permissions/\(permissionID)", json: ["roles": ["write"]])
            #expect(patched.json["roles"] as? [String] == ["write"])
            #expect(try await tenant.permissions(driveID: drive.id, itemID: folder.id).map(\.roles) == [["write"]])

            let below = try await h.send(.DELETE, "/drives/\(drive.id)/items/\(file.id)/permissions/\(permissionID)")
            #expect(below.status == 403)
            #expect(errorCode(below) == "accessDenied")

            let link = try await h.send(.POST, "\(base)/createLink", json: ["type": "edit", "scope": "organization"])
            #expect(link.status == 201)
            #expect((link.json["link"] as? [String: Any])?["webUrl"] as? String != nil)
            let again = try await h.send(.POST, "\(base)/createLink", json: ["type": "edit", "scope": "organization"])
            #expect(again.status == 200)
            #expect(again.json["id"] as? String == link.json["id"] as? String)
            #expect((try await h.get(base).json["shared"] as? [String: Any])?["scope"] as? String == "organization")

            #expect(try await h.send(.DELETE, "\(base)/permissions/\(permissionID)").status == 204)
            #expect(try await h.send(.DELETE, "\(base)/permissions/\(link.json["id"] as? String ?? "")").status == 204)
            let remaining = try await h.get("\(base)/permissions").json["value"] as? [Any]
            #expect(remaining?.isEmpty == true)
            #expect(try await h.get(base).json["shared"] == nil)
            #expect(try await h.send(.DELETE, "\(base)/permissions/\(permissionID)").status == 404)

            let stranger = try await h.send(.POST, "\(base)/invite", json: ["recipients": [["email": "eve@elsewhere.example"]], "roles": ["read"]])
            #expect(stranger.status == 400)
            let owner = try await h.send(.POST, "\(base)/invite", json: ["recipients": [["email": users[1].upn]], "roles": ["owner"]])
            #expect(owner.status == 400)
            let badLink = try await h.send(.POST, "\(base)/createLink", json: ["type": "embed", "scope": "organization"])
            #expect(badLink.status == 400)
        }
    }

    @Test("permission calls cost 5 resource units, as Graph charges them")
    func permissionCost() {
        for (method, path) in [
            ("GET", "/v1.0/drives/d/items/i/permissions"), ("GET", "/v1.0/drives/d/items/i/permissions/p"),
            ("DELETE", "/v1.0/drives/d/items/i/permissions/p"), ("POST", "/v1.0/drives/d/items/i/invite"),
            ("POST", "/v1.0/drives/d/items/i/createLink"),
        ] {
            #expect(FaultInjector.resourceUnits(method: method, path: path, query: "") == 5, "\(method) \(path)")
        }
        #expect(FaultInjector.resourceUnits(method: "GET", path: "/v1.0/drives/d/items/i", query: "") == 1)
    }

    @Test("delta lists a sharing change only when asked with Prefer: deltashowsharingchanges, marked sharedChanged")
    func deltaSharingChanges() async throws {
        try await SimulatorHarness.with { h in
            let tenant = h.simulator.tenant
            let users = await tenant.users()
            let drive = try #require(await tenant.drives().first { $0.id == users[0].driveID })
            let shared = try await tenant.createFile(driveID: drive.id, parentID: drive.rootItemID, name: "shared.txt", bytes: [1])
            let edited = try await tenant.createFile(driveID: drive.id, parentID: drive.rootItemID, name: "edited.txt", bytes: [2])
            let link = try await h.fullDelta("/drives/\(drive.id)/root/delta").deltaLink

            try await tenant.grant(driveID: drive.id, itemID: shared.id, email: users[1].upn, roles: ["read"])
            _ = try await tenant.updateContent(driveID: drive.id, itemID: edited.id, bytes: [3])
            try await tenant.grant(driveID: drive.id, itemID: edited.id, email: users[1].upn, roles: ["write"])

            let plain = try await h.get(link)
            let plainItems = plain.json["value"] as? [[String: Any]] ?? []
            #expect(plainItems.compactMap { $0["id"] as? String } == [edited.id])
            #expect(plainItems.allSatisfy { $0["@microsoft.graph.sharedChanged"] == nil })

            let asked = try await h.get(link, headers: [("Prefer", "deltashowremovedasdeleted, deltashowsharingchanges")])
            let askedItems = asked.json["value"] as? [[String: Any]] ?? []
            #expect(Set(askedItems.compactMap { $0["id"] as? String }) == [shared.id, edited.id])
            #expect(askedItems.count == 2)
            #expect(askedItems.allSatisfy { $0["@microsoft.graph.sharedChanged"] as? String == "True" })

            // From the newer token nothing changed, asked or not.
            let next = try #require(asked.json["@odata.deltaLink"] as? String)
            let quiet = try await h.get(next, headers: [("Prefer", "deltashowsharingchanges")])
            #expect((quiet.json["value"] as? [Any])?.isEmpty == true)
        }
    }
}
