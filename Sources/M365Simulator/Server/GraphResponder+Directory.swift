import Foundation
import Hummingbird

extension GraphResponder {
    /// Dispatches `/v1.0/<rest>`.
    func graph(_ call: Call, rest: String, request: inout Request) async throws -> Response {
        if rest.hasPrefix("drives/") {
            return try await drives(call, rest: String(rest.dropFirst("drives/".count)), request: &request)
        }
        guard request.method == .get else {
            throw M365SimulatorError.invalidRequest("\(request.method) is not supported on /v1.0/\(rest).")
        }
        if rest == "users" || rest.hasPrefix("users/") { return try await users(call, rest: rest) }
        if rest == "sites" || rest.hasPrefix("sites/") { return try await sites(call, rest: rest) }
        throw M365SimulatorError.itemNotFound("Resource '/v1.0/\(rest)' does not exist in the simulator.")
    }

    func users(_ call: Call, rest: String) async throws -> Response {
        let segments = rest.split(separator: "/").map { Self.decode(String($0)) }
        let users = await tenant.users()
        if segments.count == 1 {
            let top = min(max(Int(call.query["$top"] ?? "") ?? 100, 1), 999)
            let offset = call.query["$skiptoken"].flatMap { SimulatedTenant.decodeToken($0) }.flatMap { Int($0) } ?? 0
            let page = users.dropFirst(offset).prefix(top)
            var body: [String: Any] = ["@odata.context": "\(call.graphBaseURL)/$metadata#users", "value": page.map(GraphJSON.user)]
            if offset + page.count < users.count {
                body["@odata.nextLink"] =
                    "\(call.graphBaseURL)/users?$top=\(top)&$skiptoken=\(SimulatedTenant.encodeToken(String(offset + page.count)))"
            }
            return GraphJSON.response(.ok, body)
        }
        let key = segments[1].lowercased()
        guard let user = users.first(where: { $0.id == key || $0.upn.lowercased() == key }) else {
            throw M365SimulatorError.itemNotFound("User '\(segments[1])' does not exist.")
        }
        switch segments.dropFirst(2).first {
        case nil: return GraphJSON.response(.ok, GraphJSON.user(user))
        case "drive":
            guard segments.count == 3 else { break }
            return try await driveResponse(call, driveID: user.driveID)
        case "drives":
            guard segments.count == 3 else { break }
            let drive = try await driveJSON(user.driveID)
            return GraphJSON.response(.ok, ["value": [drive]])
        default: break
        }
        throw M365SimulatorError.itemNotFound("Resource '/v1.0/\(rest)' does not exist in the simulator.")
    }

    func sites(_ call: Call, rest: String) async throws -> Response {
        let sites = await tenant.sites()
        let host = tenant.spec.sharePointHost
        if rest == "sites" {
            guard call.query["search"] != nil else {
                throw M365SimulatorError.invalidRequest("Listing sites needs ?search=<text> (use * for all).")
            }
            let search = (call.query["search"] ?? "*").lowercased()
            let matches = sites.filter { $0.parentSiteID == nil }
                .filter { search == "*" || search.isEmpty || $0.title.lowercased().contains(search) || $0.name.lowercased().contains(search) }
            return GraphJSON.response(.ok, ["value": matches.map { GraphJSON.site($0, host: host) }])
        }
        let raw = String(rest.dropFirst("sites/".count))
        var site: SimulatedSite
        var suffix: [String]
        if let colon = raw.firstIndex(of: ":") {
            // sites/{hostname}:/{server-relative-path}[:/suffix]
            let hostname = Self.decode(String(raw[..<colon])).lowercased()
            var remainder = String(raw[raw.index(after: colon)...])
            var after = ""
            if let second = remainder.firstIndex(of: ":") {
                after = String(remainder[remainder.index(after: second)...])
                remainder = String(remainder[..<second])
            }
            let relative = Self.decode(remainder).trimmingCharacters(in: CharacterSet(charactersIn: "/")).lowercased()
            guard hostname == host,
                let found = sites.first(where: {
                    $0.url.lowercased() == "https://\(host)/\(relative)"
                })
            else {
                throw M365SimulatorError.itemNotFound("No site at '\(hostname):/\(relative)'.")
            }
            site = found
            suffix = after.split(separator: "/").map { Self.decode(String($0)) }
        } else {
            let parts = raw.split(separator: "/").map { Self.decode(String($0)) }
            guard let id = parts.first, let found = sites.first(where: { $0.id.lowercased() == id.lowercased() }) else {
                throw M365SimulatorError.itemNotFound("Site '\(parts.first ?? "")' does not exist.")
            }
            site = found
            suffix = Array(parts.dropFirst())
        }
        switch suffix {
        case []: return GraphJSON.response(.ok, GraphJSON.site(site, host: host))
        case ["drives"]:
            var drives: [[String: Any]] = []
            for id in site.driveIDs { drives.append(try await driveJSON(id)) }
            return GraphJSON.response(.ok, ["value": drives])
        case ["drive"]:
            return try await driveResponse(call, driveID: site.driveIDs[0])
        case ["sites"]:
            let subsites = sites.filter { $0.parentSiteID == site.id }
            return GraphJSON.response(.ok, ["value": subsites.map { GraphJSON.site($0, host: host) }])
        default:
            throw M365SimulatorError.itemNotFound("Resource '/v1.0/\(rest)' does not exist in the simulator.")
        }
    }

    func driveJSON(_ driveID: String) async throws -> [String: Any] {
        guard let drive = await tenant.drives().first(where: { $0.id == driveID }) else {
            throw M365SimulatorError.itemNotFound("Drive '\(driveID)' does not exist.")
        }
        let owner = await tenant.users().first { $0.id == drive.ownerUserID }
        return GraphJSON.drive(drive, owner: owner)
    }

    func driveResponse(_ call: Call, driveID: String) async throws -> Response {
        GraphJSON.response(.ok, try await driveJSON(driveID))
    }
}
