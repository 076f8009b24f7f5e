import Foundation
import Hummingbird

extension GraphResponder {
    /// Dispatches `/v1.0/<rest>`.
    func graph(_ call: Call, rest: String, request: inout Request) async throws -> Response {
        if rest.hasPrefix("drives/") {
            return try await drives(call, rest: String(rest.dropFirst("drives/".count)), request: &request)
        }
        if let driveRest = try await driveRelativeAddress(rest) {
            return try await drives(call, rest: driveRest, request: &request)
        }
        guard request.method == .get else {
            throw M365SimulatorError.invalidRequest("\(request.method) is not supported on /v1.0/\(rest).")
        }
        if rest == "users" || rest.hasPrefix("users/") { return try await users(call, rest: rest) }
        if rest == "sites" || rest.hasPrefix("sites/") { return try await sites(call, rest: rest) }
        throw M365SimulatorError.itemNotFound("Resource '/v1.0/\(rest)' does not exist in the simulator.")
    }

    /// A user's or a site's drive addressed through its owner (`users/{u}/drive/root/delta`,
    /// `sites/{s}/drive/items/{i}`, `sites/{s}/drives/{d}/root:/a.txt:/content`), as the `drives/` address it names
    /// (`{driveID}/…`); nil when `rest` addresses no item of a drive (the drive itself, a user, a site).
    func driveRelativeAddress(_ rest: String) async throws -> String? {
        let driveID: String
        let tail: [Substring]
        if rest.hasPrefix("users/") {
            let segments = rest.split(separator: "/", omittingEmptySubsequences: false)
            guard segments.count >= 3, segments[2] == "drive" || segments[2] == "drives" else { return nil }
            let user = try await user(Self.decode(String(segments[1])))
            (driveID, tail) = try Self.ownedDrive(segments.dropFirst(2), drives: [user.driveID], owner: user.upn)
        } else if rest.hasPrefix("sites/") {
            let (site, suffix) = try await site(addressedBy: String(rest.dropFirst("sites/".count)))
            guard let first = suffix.first, first == "drive" || first == "drives" else { return nil }
            (driveID, tail) = try Self.ownedDrive(suffix[...], drives: site.driveIDs, owner: site.url)
        } else {
            return nil
        }
        return tail.isEmpty ? nil : ([Substring(GraphRequestPath.encodeSegment(driveID))] + tail).joined(separator: "/")
    }

    /// The drive `drive/…` or `drives/{id}/…` names among an owner's `drives`, and the segments after it.
    private static func ownedDrive(_ segments: ArraySlice<Substring>, drives: [String], owner: String) throws
        -> (driveID: String, tail: [Substring])
    {
        var rest = segments
        let kind = rest.removeFirst()
        if kind == "drive" {
            guard let first = drives.first else { throw M365SimulatorError.itemNotFound("'\(owner)' has no drive.") }
            return (first, Array(rest))
        }
        guard let requested = rest.first.map({ decode(String($0)) }) else { return ("", []) }
        guard drives.contains(requested) else {
            throw M365SimulatorError.itemNotFound("Drive '\(requested)' does not belong to '\(owner)'.")
        }
        return (requested, Array(rest.dropFirst()))
    }

    /// A user by object id or user principal name (case-insensitive).
    private func user(_ key: String) async throws -> SimulatedUser {
        let key = key.lowercased()
        guard let user = await tenant.users().first(where: { $0.id == key || $0.upn.lowercased() == key }) else {
            throw M365SimulatorError.itemNotFound("User '\(key)' does not exist.")
        }
        return user
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
        let user = try await user(segments[1])
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
        let (site, encodedSuffix) = try await site(addressedBy: String(rest.dropFirst("sites/".count)))
        switch encodedSuffix.map({ Self.decode(String($0)) }) {
        case []: return GraphJSON.response(.ok, GraphJSON.site(site, host: host))
        case ["drives"]:
            var drives: [[String: Any]] = []
            for id in site.driveIDs { drives.append(try await driveJSON(id)) }
            return GraphJSON.response(.ok, ["value": drives])
        case ["drive"]:
            return try await driveResponse(call, driveID: site.driveIDs[0])
        case let parts where parts.count == 2 && parts[0] == "drives":
            guard site.driveIDs.contains(parts[1]) else {
                throw M365SimulatorError.itemNotFound("Drive '\(parts[1])' does not belong to '\(site.url)'.")
            }
            return try await driveResponse(call, driveID: parts[1])
        case ["sites"]:
            let subsites = sites.filter { $0.parentSiteID == site.id }
            return GraphJSON.response(.ok, ["value": subsites.map { GraphJSON.site($0, host: host) }])
        default:
            throw M365SimulatorError.itemNotFound("Resource '/v1.0/\(rest)' does not exist in the simulator.")
        }
    }

    /// The site `raw` (what follows `sites/`) addresses, by id or by `{hostname}:/{server-relative-path}[:]`, and the
    /// segments after it, still encoded.
    func site(addressedBy raw: String) async throws -> (site: SimulatedSite, suffix: [Substring]) {
        let sites = await tenant.sites()
        let host = tenant.spec.sharePointHost
        let site: SimulatedSite
        let suffix: [Substring]
        if let colon = raw.firstIndex(of: ":"), !raw[..<colon].contains("/") {
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
            suffix = after.split(separator: "/")
        } else {
            let parts = raw.split(separator: "/")
            let id = parts.first.map { Self.decode(String($0)).lowercased() } ?? ""
            guard let found = sites.first(where: { $0.id.lowercased() == id }) else {
                throw M365SimulatorError.itemNotFound("Site '\(id)' does not exist.")
            }
            site = found
            suffix = Array(parts.dropFirst())
        }
        return (site, suffix)
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
