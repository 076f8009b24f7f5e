import Foundation
import Hummingbird
import NIOCore

extension GraphResponder {
    /// The `/_admin` API: inspect credentials and mutate the tenant from curl without Graph auth.
    func admin(_ call: Call, segments: [String], request: inout Request) async throws -> Response {
        switch (request.method, segments.count) {
        case (.get, 1) where segments[0] == "tenant":
            let users = await tenant.users()
            let sites = await tenant.sites()
            let drives = await tenant.drives()
            return GraphJSON.response(
                .ok,
                [
                    "tenantId": tenant.tenantID, "clientId": tenant.clientID, "clientSecret": tenant.clientSecret,
                    "tokenEndpoint": "\(call.baseURL)/\(tenant.tenantID)/oauth2/v2.0/token", "graphBaseURL": call.graphBaseURL,
                    "users": users.map { ["id": $0.id, "upn": $0.upn, "displayName": $0.displayName, "driveId": $0.driveID] },
                    "sites": sites.map {
                        ["id": $0.id, "url": $0.url, "title": $0.title, "parentSiteId": $0.parentSiteID.map { $0 as Any } ?? NSNull(), "driveIds": $0.driveIDs]
                    },
                    "drives": drives.map {
                        ["id": $0.id, "name": $0.name, "driveType": $0.kind.rawValue, "webUrl": $0.webURL, "rootId": $0.rootItemID]
                    },
                ])
        case (.post, 3) where segments[0] == "drives" && segments[2] == "files":
            let drive = try await tenant.drive(id: segments[1])
            let json = try GraphJSON.object(try await request.collectBody(upTo: 16 << 20))
            guard let name = json["name"] as? String else { throw M365SimulatorError.invalidRequest("The body needs a 'name'.") }
            let parentPath = json["parentPath"] as? String ?? ""
            let parent = try await tenant.resolveItem(
                driveID: drive.id, anchorID: nil, relativePath: parentPath.split(separator: "/").map(String.init))
            let item = try await tenant.createFile(
                driveID: drive.id, parentID: parent.id, name: name, bytes: Array((json["text"] as? String ?? "").utf8))
            return GraphJSON.response(.created, render(call, item, drive: drive))
        case (.patch, 4) where segments[0] == "drives" && segments[2] == "items":
            let drive = try await tenant.drive(id: segments[1])
            let json = try GraphJSON.object(try await request.collectBody(upTo: 16 << 20))
            var item = try await tenant.resolveItem(driveID: drive.id, anchorID: segments[3], relativePath: [])
            if let text = json["text"] as? String {
                item = try await tenant.updateContent(driveID: drive.id, itemID: item.id, bytes: Array(text.utf8))
            }
            if json["name"] != nil || json["parentID"] != nil {
                item = try await tenant.patch(
                    driveID: drive.id, itemID: item.id, name: json["name"] as? String, parentID: json["parentID"] as? String,
                    fileSystemInfo: nil)
            }
            return GraphJSON.response(.ok, render(call, item, drive: drive))
        case (.delete, 4) where segments[0] == "drives" && segments[2] == "items":
            try await tenant.delete(driveID: segments[1], itemID: segments[3])
            return Response(status: .noContent)
        default:
            throw M365SimulatorError.itemNotFound("No admin endpoint matches \(request.method) /_admin/\(segments.joined(separator: "/")).")
        }
    }
}
