/// A user of the tenant (`GET /users`).
public struct GraphUser: Sendable, Hashable, Decodable {
    public var id: String
    public var userPrincipalName: String
    public var displayName: String?
    public var mail: String?

    /// Creates a user.
    public init(id: String, userPrincipalName: String, displayName: String? = nil, mail: String? = nil) {
        self.id = id
        self.userPrincipalName = userPrincipalName
        self.displayName = displayName
        self.mail = mail
    }
}
