import Foundation
import Hummingbird
import NIOCore

extension GraphResponder {
    /// An item address parsed from `root[:/path[:]]` or `items/{id}[:/path[:]]` (`items/root` is the root), followed by
    /// action segments.
    struct ItemAddress {
        var anchorID: String?
        var relativePath: [String]?
        var action: [String]
    }

    static func parseAddress(_ raw: String) throws -> ItemAddress {
        var anchor: String?
        var after: Substring
        if raw == "root" || raw.hasPrefix("root/") || raw.hasPrefix("root:") {
            after = raw.dropFirst(4)
        } else if raw.hasPrefix("items/") {
            let tail = raw.dropFirst(6)
            let end = tail.firstIndex(where: { $0 == "/" || $0 == ":" }) ?? tail.endIndex
            // Graph accepts `items/root` as another name of the root folder.
            let id = decode(String(tail[..<end]))
            anchor = id == "root" ? nil : id
            after = tail[end...]
        } else {
            throw M365SimulatorError.itemNotFound("Unsupported drive resource '\(raw)'.")
        }
        var relative: [String]?
        if after.hasPrefix(":") {
            var pathPart = after.dropFirst()
            if let colon = pathPart.firstIndex(of: ":") {
                after = pathPart[pathPart.index(after: colon)...]
                pathPart = pathPart[..<colon]
            } else {
                after = ""
            }
            relative = pathPart.split(separator: "/").map { decode(String($0)) }
        }
        return ItemAddress(anchorID: anchor, relativePath: relative, action: after.split(separator: "/").map { decode(String($0)) })
    }

    func downloadURL(_ call: Call, driveID: String, itemID: String, versionID: String?) -> String {
        let expiry = Int((Date().timeIntervalSince1970 + configuration.downloadURLLifetime.seconds) * 1000)
        let token = SimulatedTenant.encodeToken("\(driveID)|\(itemID)|\(versionID ?? "")|\(expiry)")
        return "\(call.baseURL)/download/\(token)"
    }

    /// An item as Graph lists it. A file's `@microsoft.graph.downloadUrl` serves whatever content the file has when it
    /// is read, as SharePoint's does (it names no version), so a file changed since its listing answers other bytes.
    func render(_ call: Call, _ item: SimulatedItem, drive: SimulatedDrive) -> [String: Any] {
        let url = item.isFolder || item.isDeleted ? nil : downloadURL(call, driveID: drive.id, itemID: item.id, versionID: nil)
        return GraphJSON.item(item, drive: drive, downloadURL: url)
    }

    /// Dispatches `/v1.0/drives/<rest>`.
    func drives(_ call: Call, rest: String, request: inout Request) async throws -> Response {
        let slash = rest.firstIndex(of: "/") ?? rest.endIndex
        let driveID = Self.decode(String(rest[..<slash]))
        let drive = try await tenant.drive(id: driveID)
        let remainder = slash == rest.endIndex ? "" : String(rest[rest.index(after: slash)...])
        let method = request.method
        if remainder.isEmpty {
            guard method == .get else { throw M365SimulatorError.invalidRequest("Drives can only be read.") }
            return try await driveResponse(call, driveID: driveID)
        }
        let address = try Self.parseAddress(remainder)
        let action = address.action
        // Uploads by name: the last path component is the new item's name, the rest addresses its parent.
        if let path = address.relativePath, !path.isEmpty,
            (method == .put && action == ["content"]) || (method == .post && action == ["createUploadSession"])
        {
            let parent = try await tenant.resolveItem(
                driveID: driveID, anchorID: address.anchorID, relativePath: Array(path.dropLast()))
            guard parent.isFolder else { throw M365SimulatorError.invalidRequest("'\(parent.name)' is not a folder.") }
            if method == .put {
                return try await simpleUpload(call, drive: drive, parentID: parent.id, name: path.last!, request: &request)
            }
            return try await createUploadSession(call, drive: drive, parentID: parent.id, name: path.last!, request: &request)
        }
        let item = try await tenant.resolveItem(driveID: driveID, anchorID: address.anchorID, relativePath: address.relativePath ?? [])
        switch (method, action) {
        case (.get, []):
            return GraphJSON.response(.ok, render(call, item, drive: drive))
        case (_, ["delta"]):
            guard method == .get else { throw M365SimulatorError.invalidRequest("Delta can only be read.") }
            // `root/delta`, `items/root/delta` and `items/{root id}/delta` name one function; other folders have none here.
            guard item.isRoot else {
                throw M365SimulatorError.invalidRequest(
                    "Delta is only supported on the root folder of OneDrive for Business and SharePoint drives, not on '\(item.name)'.")
            }
            return try await delta(call, drive: drive)
        case (.get, ["children"]):
            guard item.isFolder else { throw M365SimulatorError.invalidRequest("'\(item.name)' is a file; it has no children.") }
            let children = await tenant.children(driveID: driveID, folderID: item.id)
            let top = min(max(Int(call.query["$top"] ?? "") ?? 200, 1), 1000)
            let offset = call.query["$skiptoken"].flatMap { SimulatedTenant.decodeToken($0) }.flatMap { Int($0) } ?? 0
            let page = children.dropFirst(offset).prefix(top)
            var body: [String: Any] = ["value": page.map { render(call, $0, drive: drive) }]
            if offset + page.count < children.count {
                let token = SimulatedTenant.encodeToken(String(offset + page.count))
                body["@odata.nextLink"] = "\(call.graphBaseURL)/drives/\(driveID)/items/\(item.id)/children?$top=\(top)&$skiptoken=\(token)"
            }
            return GraphJSON.response(.ok, body)
        case (.get, ["content"]):
            guard !item.isFolder else { throw M365SimulatorError.invalidRequest("'\(item.name)' is a folder; it has no content.") }
            return Response(
                status: .found,
                headers: [.location: downloadURL(call, driveID: driveID, itemID: item.id, versionID: item.versionID)])
        case (.get, ["versions"]):
            guard !item.isFolder else { throw M365SimulatorError.invalidRequest("Folders have no versions.") }
            let versions = try await tenant.versions(driveID: driveID, itemID: item.id)
            return GraphJSON.response(.ok, ["value": versions.map { Self.versionJSON($0) }])
        case (.get, let parts) where parts.count == 2 && parts[0] == "versions":
            let versions = try await tenant.versions(driveID: driveID, itemID: item.id)
            guard let version = versions.first(where: { $0.id == parts[1] }) else {
                throw M365SimulatorError.itemNotFound("Version '\(parts[1])' of '\(item.name)' does not exist.")
            }
            return GraphJSON.response(.ok, Self.versionJSON(version))
        case (.get, let parts) where parts.count == 3 && parts[0] == "versions" && parts[2] == "content":
            let versions = try await tenant.versions(driveID: driveID, itemID: item.id)
            guard versions.contains(where: { $0.id == parts[1] }) else {
                throw M365SimulatorError.itemNotFound("Version '\(parts[1])' of '\(item.name)' does not exist.")
            }
            return Response(
                status: .found, headers: [.location: downloadURL(call, driveID: driveID, itemID: item.id, versionID: parts[1])])
        case (.get, ["permissions"]):
            let permissions = try await tenant.permissions(driveID: driveID, itemID: item.id)
            return GraphJSON.response(.ok, ["value": permissions.map { GraphJSON.permission($0, driveID: driveID) }])
        case (.get, let parts) where parts.count == 2 && parts[0] == "permissions":
            let permissions = try await tenant.permissions(driveID: driveID, itemID: item.id)
            guard let permission = permissions.first(where: { $0.id == parts[1] }) else {
                throw M365SimulatorError.itemNotFound("Permission '\(parts[1])' does not exist on '\(item.name)'.")
            }
            return GraphJSON.response(.ok, GraphJSON.permission(permission, driveID: driveID))
        case (.patch, let parts) where parts.count == 2 && parts[0] == "permissions":
            let json = try GraphJSON.object(try await request.collectBody(upTo: 1 << 20))
            guard let roles = json["roles"] as? [String] else { throw M365SimulatorError.invalidRequest("The body needs 'roles'.") }
            let updated = try await tenant.updatePermission(driveID: driveID, itemID: item.id, permissionID: parts[1], roles: roles)
            return GraphJSON.response(.ok, GraphJSON.permission(updated, driveID: driveID))
        case (.delete, let parts) where parts.count == 2 && parts[0] == "permissions":
            try await tenant.removePermission(driveID: driveID, itemID: item.id, permissionID: parts[1])
            return Response(status: .noContent)
        case (.post, ["invite"]):
            let json = try GraphJSON.object(try await request.collectBody(upTo: 1 << 20))
            let recipients = (json["recipients"] as? [[String: Any]] ?? []).compactMap { $0["email"] as? String }
            guard !recipients.isEmpty, let roles = json["roles"] as? [String] else {
                throw M365SimulatorError.invalidRequest("The body needs 'recipients' with an 'email' each and 'roles'.")
            }
            var granted: [[String: Any]] = []
            for email in recipients {
                let permission = try await tenant.grant(driveID: driveID, itemID: item.id, email: email, roles: roles)
                granted.append(GraphJSON.permission(permission, driveID: driveID))
            }
            return GraphJSON.response(.ok, ["value": granted])
        case (.post, ["createLink"]):
            let json = try GraphJSON.object(try await request.collectBody(upTo: 1 << 20))
            guard let type = json["type"] as? String else { throw M365SimulatorError.invalidRequest("The body needs a link 'type'.") }
            let link = try await tenant.createLink(
                driveID: driveID, itemID: item.id, type: type, scope: json["scope"] as? String ?? "organization")
            return GraphJSON.response(link.created ? .created : .ok, GraphJSON.permission(link.permission, driveID: driveID))
        case (.put, ["content"]):
            let body = try await request.collectBody(upTo: 256 << 20)
            let updated = try await tenant.updateContent(
                driveID: driveID, itemID: item.id, bytes: Array(body.readableBytesView), fileSystemInfo: nil)
            return GraphJSON.response(.ok, render(call, updated, drive: drive))
        case (.post, ["children"]):
            let json = try GraphJSON.object(try await request.collectBody(upTo: 1 << 20))
            guard let name = json["name"] as? String else { throw M365SimulatorError.invalidRequest("The body needs a 'name'.") }
            guard json["folder"] != nil else {
                throw M365SimulatorError.invalidRequest("Only folders can be created this way; upload files with PUT .../content.")
            }
            let conflict = try Self.conflict(
                json["@microsoft.graph.conflictBehavior"] as? String ?? call.query["@microsoft.graph.conflictBehavior"], default: .fail)
            let folder = try await tenant.createFolder(driveID: driveID, parentID: item.id, name: name, conflict: conflict)
            return GraphJSON.response(.created, render(call, folder, drive: drive))
        case (.patch, []):
            let json = try GraphJSON.object(try await request.collectBody(upTo: 1 << 20))
            let parentID = (json["parentReference"] as? [String: Any])?["id"] as? String
            let updated = try await tenant.patch(
                driveID: driveID, itemID: item.id, name: json["name"] as? String, parentID: parentID,
                fileSystemInfo: Self.fileSystemInfo(json["fileSystemInfo"]))
            return GraphJSON.response(.ok, render(call, updated, drive: drive))
        case (.delete, []):
            try await tenant.delete(driveID: driveID, itemID: item.id)
            return Response(status: .noContent)
        default:
            throw M365SimulatorError.invalidRequest("\(method) \(remainder) is not supported by the simulator.")
        }
    }

    static func versionJSON(_ version: (id: String, modifiedAt: Date, name: String, email: String, size: Int)) -> [String: Any] {
        [
            "id": version.id, "lastModifiedDateTime": GraphJSON.date(version.modifiedAt),
            "lastModifiedBy": GraphJSON.identity(version.name, version.email), "size": version.size,
        ]
    }

    func delta(_ call: Call, drive: SimulatedDrive) async throws -> Response {
        let top = Int(call.query["$top"] ?? "") ?? 200
        let prefer = call.request.headers[values: HTTPFields.Element.Name("Prefer")!].joined(separator: ",").lowercased()
        let page = try await tenant.deltaPage(
            driveID: drive.id, token: call.query["token"], top: top, sharingChanges: prefer.contains("deltashowsharingchanges"))
        let link = "\(call.graphBaseURL)/drives/\(drive.id)/root/delta"
        var body: [String: Any] = [
            "@odata.context": "\(call.graphBaseURL)/$metadata#Collection(driveItem)",
            "value": page.items.map { render(call, $0, drive: drive) },
        ]
        if let next = page.nextToken { body["@odata.nextLink"] = "\(link)?token=\(next)" }
        if let delta = page.deltaToken { body["@odata.deltaLink"] = "\(link)?token=\(delta)" }
        return GraphJSON.response(.ok, body)
    }

    func simpleUpload(_ call: Call, drive: SimulatedDrive, parentID: String, name: String, request: inout Request) async throws
        -> Response
    {
        let conflict = try Self.conflict(call.query["@microsoft.graph.conflictBehavior"], default: .replace)
        let body = try await request.collectBody(upTo: 256 << 20)
        let result = try await tenant.upsertFile(
            driveID: drive.id, parentID: parentID, name: name, bytes: Array(body.readableBytesView), conflict: conflict,
            fileSystemInfo: nil)
        return GraphJSON.response(result.created ? .created : .ok, render(call, result.item, drive: drive))
    }

    func createUploadSession(_ call: Call, drive: SimulatedDrive, parentID: String, name: String, request: inout Request)
        async throws -> Response
    {
        let json = try GraphJSON.object(try await request.collectBody(upTo: 1 << 20))
        let item = json["item"] as? [String: Any] ?? [:]
        let conflict = try Self.conflict(
            item["@microsoft.graph.conflictBehavior"] as? String ?? call.query["@microsoft.graph.conflictBehavior"], default: .replace)
        let session = try await tenant.createUploadSession(
            driveID: drive.id, parentID: parentID, name: name, conflict: conflict,
            fileSystemInfo: Self.fileSystemInfo(item["fileSystemInfo"]), lifetime: configuration.uploadSessionLifetime.seconds)
        if let allowance = await faults.uploadSessionOpened(id: session.id, path: call.request.uri.path) {
            await tenant.limitUploadSession(id: session.id, fragments: allowance)
        }
        return GraphJSON.response(
            .ok,
            [
                "uploadUrl": "\(call.baseURL)/upload/\(session.id)", "expirationDateTime": GraphJSON.date(session.expiresAt),
                "nextExpectedRanges": ["0-"],
            ])
    }
}
