import Foundation
import Hummingbird
import NIOCore

/// Renders tenant objects in Graph's JSON shapes and builds JSON and error responses.
enum GraphJSON {
    /// Formats a date the way Graph does (`2024-03-01T12:00:00Z`).
    static func date(_ date: Date) -> String {
        date.formatted(.iso8601)
    }

    /// Parses ISO 8601 dates with or without fractional seconds.
    static func parseDate(_ text: String) -> Date? {
        if let date = try? Date(text, strategy: .iso8601) { return date }
        return try? Date(text, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true))
    }

    static func identity(_ name: String, _ email: String) -> [String: Any] {
        ["user": ["displayName": name, "email": email]]
    }

    /// A driveItem. `downloadURL` is added for files when given; `includeDeleted` renders tombstones.
    static func item(_ item: SimulatedItem, drive: SimulatedDrive, downloadURL: String?) -> [String: Any] {
        var parent: [String: Any] = ["driveId": drive.id, "driveType": drive.kind.rawValue]
        if let parentID = item.parentID { parent["id"] = parentID }
        if item.isDeleted {
            var tombstone: [String: Any] = [
                "id": item.id, "name": item.name, "deleted": ["state": "deleted"], "parentReference": parent,
                "lastModifiedDateTime": date(item.modifiedAt), "size": 0,
            ]
            tombstone[item.isFolder ? "folder" : "file"] = [String: Any]()
            return tombstone
        }
        var json: [String: Any] = [
            "id": item.id, "name": item.name, "size": item.size, "eTag": item.eTag,
            "createdDateTime": date(item.createdAt), "lastModifiedDateTime": date(item.modifiedAt),
            "createdBy": identity(item.createdByName, item.createdByEmail),
            "lastModifiedBy": identity(item.modifiedByName, item.modifiedByEmail),
            "parentReference": parent,
            "fileSystemInfo": [
                "createdDateTime": date(item.fileSystemCreatedAt), "lastModifiedDateTime": date(item.fileSystemModifiedAt),
            ],
        ]
        if let scope = item.sharedScope { json["shared"] = ["scope": scope] }
        if item.sharingChanged { json["@microsoft.graph.sharedChanged"] = "True" }
        if item.isRoot {
            json["root"] = [String: Any]()
            json["webUrl"] = drive.webURL
        }
        if item.isFolder {
            json["folder"] = ["childCount": item.childCount]
        } else {
            json["cTag"] = item.cTag
            json["file"] = ["mimeType": item.mimeType ?? "application/octet-stream", "hashes": ["quickXorHash": item.quickXorHash ?? ""]]
            if let downloadURL { json["@microsoft.graph.downloadUrl"] = downloadURL }
        }
        return json
    }

    /// A `permission` resource: `grantedToV2` for a person, `link` for a sharing link, `inheritedFrom` when inherited.
    static func permission(_ permission: SimulatedPermission, driveID: String) -> [String: Any] {
        var json: [String: Any] = ["id": permission.id, "roles": permission.roles, "hasPassword": false]
        switch permission.grantee {
        case .user(let id, let email, let displayName):
            let user: [String: Any] = ["id": id, "email": email, "displayName": displayName]
            json["grantedToV2"] = ["user": user]
            json["grantedTo"] = ["user": user]
        case .link(let type, let scope, let webURL):
            json["link"] = ["type": type, "scope": scope, "webUrl": webURL, "preventsDownload": false]
        }
        if let folderID = permission.inheritedFrom {
            json["inheritedFrom"] = ["driveId": driveID, "id": folderID]
        }
        return json
    }

    static func drive(_ drive: SimulatedDrive, owner: SimulatedUser?) -> [String: Any] {
        var json: [String: Any] = [
            "id": drive.id, "name": drive.name, "driveType": drive.kind.rawValue, "webUrl": drive.webURL,
            "createdDateTime": date(TenantGenerator.epoch),
        ]
        if let owner {
            json["owner"] = ["user": ["id": owner.id, "displayName": owner.displayName, "email": owner.upn]]
        } else {
            json["owner"] = ["group": ["displayName": drive.name]]
        }
        return json
    }

    static func site(_ site: SimulatedSite, host: String) -> [String: Any] {
        [
            "id": site.id, "webUrl": site.url, "displayName": site.title, "name": site.name,
            "createdDateTime": date(TenantGenerator.epoch), "siteCollection": ["hostname": host],
        ]
    }

    static func user(_ user: SimulatedUser) -> [String: Any] {
        ["id": user.id, "displayName": user.displayName, "userPrincipalName": user.upn, "mail": user.upn]
    }

    /// A JSON response.
    static func response(_ status: HTTPResponse.Status, _ object: Any, headers: HTTPFields = [:]) -> Response {
        var fields = headers
        fields[.contentType] = "application/json; charset=utf-8"
        return Response(status: status, headers: fields, body: ResponseBody(byteBuffer: JSONText.buffer(object)))
    }

    /// Graph's error envelope `{"error":{"code","message","innerError":{...}}}`.
    static func error(
        _ status: Int, code: String, message: String, requestID: String, clientRequestID: String, headers: HTTPFields = [:],
        innerCode: String? = nil
    ) -> Response {
        var inner: [String: Any] = ["date": date(Date()), "request-id": requestID, "client-request-id": clientRequestID]
        if let innerCode { inner["code"] = innerCode }
        let body: [String: Any] = ["error": ["code": code, "message": message, "innerError": inner]]
        return response(HTTPResponse.Status(code: status), body, headers: headers)
    }

    /// Parses a JSON object body; throws `invalidRequest` when it is not one.
    static func object(_ buffer: ByteBuffer) throws -> [String: Any] {
        if buffer.readableBytes == 0 { return [:] }
        guard let object = try? JSONSerialization.jsonObject(with: Data(buffer.readableBytesView)) as? [String: Any] else {
            throw M365SimulatorError.invalidRequest("The request body is not a JSON object.")
        }
        return object
    }
}
