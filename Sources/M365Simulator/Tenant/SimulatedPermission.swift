import Foundation

/// A sharing permission on a drive item, as Graph's `permission` resource reports it: a grant to a person of the tenant
/// (`invite`) or a sharing link (`createLink`).
///
/// Items inherit their ancestors' permissions; `inheritedFrom` names the folder a listed permission comes from. The
/// owner's own access is not listed (Graph lists it as a permission too; nothing restores it).
public struct SimulatedPermission: Sendable, Hashable {
    /// Who or what a permission is for.
    public enum Grantee: Sendable, Hashable {
        /// A person of the tenant, by object id, email and display name.
        case user(id: String, email: String, displayName: String)
        /// A sharing link: `view` or `edit`, for `anonymous`, `organization` or `users` (people it was sent to).
        case link(type: String, scope: String, webURL: String)
    }

    /// Permission id, unique within the tenant.
    public var id: String
    /// `read` or `write`.
    public var roles: [String]
    /// Who the permission is for.
    public var grantee: Grantee
    /// The folder this permission is inherited from; nil for a permission set on the item itself.
    public var inheritedFrom: String?

    /// The `shared.scope` the permission gives its item: `users` for grants, the link's scope for links.
    public var sharingScope: String {
        switch grantee {
        case .user: "users"
        case .link(_, let scope, _): scope
        }
    }

    /// Link types `createLink` accepts.
    static let linkTypes: Set<String> = ["view", "edit"]
    /// Link scopes `createLink` accepts.
    static let linkScopes: Set<String> = ["anonymous", "organization", "users"]
    /// Roles `invite` and `PATCH` accept.
    static let grantableRoles: Set<String> = ["read", "write"]

    /// The widest of `scopes`: anonymous, then organization, then users; nil when there is none.
    static func widestScope(_ scopes: some Sequence<String>) -> String? {
        let rank = ["users": 0, "organization": 1, "anonymous": 2]
        return scopes.max { (rank[$0] ?? 0) < (rank[$1] ?? 0) }
    }
}
