import Foundation

extension SimulatedTenant {
    /// Every permission `itemID` has, its own first, then those inherited from the folders above it (`inheritedFrom`).
    public func permissions(driveID: String, itemID: String) throws -> [SimulatedPermission] {
        let state = try requireDrive(driveID)
        _ = try requireItem(itemID, in: state)
        return state.effectivePermissions(of: itemID)
    }

    /// Grants a person of the tenant `roles` on an item (`POST …/invite`); a person who already holds a grant on the item
    /// gets the new roles on it. Throws `invalidRequest` for an unknown email or a role other than read and write.
    @discardableResult
    public func grant(driveID: String, itemID: String, email: String, roles: [String]) throws -> SimulatedPermission {
        try Self.validate(roles: roles)
        guard let user = usersList.first(where: { $0.upn.lowercased() == email.lowercased() }) else {
            throw M365SimulatorError.invalidRequest("'\(email)' is not a person of this organization.")
        }
        return try changeSharing(driveID: driveID, itemID: itemID) { permissions in
            if let index = permissions.firstIndex(where: {
                if case .user(let id, _, _) = $0.grantee { id == user.id } else { false }
            }) {
                permissions[index].roles = roles
                return permissions[index]
            }
            let permission = SimulatedPermission(
                id: rng.guid(), roles: roles, grantee: .user(id: user.id, email: user.upn, displayName: user.displayName))
            permissions.append(permission)
            return permission
        }
    }

    /// Makes a sharing link (`POST …/createLink`), or returns the item's link of that type and scope when it has one.
    /// - Returns: the link and whether it was made now.
    public func createLink(driveID: String, itemID: String, type: String, scope: String) throws
        -> (permission: SimulatedPermission, created: Bool)
    {
        guard SimulatedPermission.linkTypes.contains(type) else {
            throw M365SimulatorError.invalidRequest("'\(type)' is not a link type; use view or edit.")
        }
        guard SimulatedPermission.linkScopes.contains(scope) else {
            throw M365SimulatorError.invalidRequest("'\(scope)' is not a link scope; use anonymous, organization or users.")
        }
        if let existing = try requireDrive(driveID).permissions[itemID]?.first(where: {
            if case .link(type, scope, _) = $0.grantee { true } else { false }
        }) {
            return (existing, false)
        }
        let host = spec.sharePointHost
        let permission = try changeSharing(driveID: driveID, itemID: itemID) { permissions in
            let token = rng.itemID().dropFirst(2).prefix(22)
            let permission = SimulatedPermission(
                id: rng.guid(), roles: [type == "edit" ? "write" : "read"],
                grantee: .link(type: type, scope: scope, webURL: "https://\(host)/:u:/g/\(token)"))
            permissions.append(permission)
            return permission
        }
        return (permission, true)
    }

    /// Replaces the roles of a permission set on the item itself (`PATCH …/permissions/{id}`).
    @discardableResult
    public func updatePermission(driveID: String, itemID: String, permissionID: String, roles: [String]) throws
        -> SimulatedPermission
    {
        try Self.validate(roles: roles)
        return try changeSharing(driveID: driveID, itemID: itemID) { permissions in
            let index = try Self.ownPermissionIndex(permissionID, in: permissions)
            permissions[index].roles = roles
            return permissions[index]
        }
    }

    /// Removes a permission set on the item itself (`DELETE …/permissions/{id}`); an inherited one cannot be removed
    /// there (`accessDenied`), and an unknown one is `itemNotFound`.
    public func removePermission(driveID: String, itemID: String, permissionID: String) throws {
        let state = try requireDrive(driveID)
        if state.permissions[itemID]?.contains(where: { $0.id == permissionID }) != true,
            state.effectivePermissions(of: itemID).contains(where: { $0.id == permissionID })
        {
            throw M365SimulatorError.accessDenied("The permission is inherited; remove it from the folder it comes from.")
        }
        _ = try changeSharing(driveID: driveID, itemID: itemID) { permissions in
            permissions.remove(at: try Self.ownPermissionIndex(permissionID, in: permissions))
        }
    }

    /// Applies `change` to the item's own permissions and records a sharing change for delta.
    private func changeSharing<Result>(
        driveID: String, itemID: String, _ change: (inout [SimulatedPermission]) throws -> Result
    ) throws -> Result {
        var state = try requireDrive(driveID)
        _ = try requireItem(itemID, in: state)
        var permissions = state.permissions[itemID] ?? []
        let result = try change(&permissions)
        state.permissions[itemID] = permissions.isEmpty ? nil : permissions
        state.counter += 1
        state.sharingChanges[itemID] = state.counter
        drivesByID[driveID] = state
        return result
    }

    private static func ownPermissionIndex(_ id: String, in permissions: [SimulatedPermission]) throws -> Int {
        guard let index = permissions.firstIndex(where: { $0.id == id }) else {
            throw M365SimulatorError.itemNotFound("Permission '\(id)' does not exist on this item.")
        }
        return index
    }

    private static func validate(roles: [String]) throws {
        guard !roles.isEmpty, roles.allSatisfy(SimulatedPermission.grantableRoles.contains) else {
            throw M365SimulatorError.invalidRequest("Roles must be read or write, not \(roles).")
        }
    }
}
