/// A drive: a user's OneDrive (`business`) or a document library (`documentLibrary`).
public struct GraphDrive: Sendable, Hashable, Decodable {
    /// The drive owner, as Graph reports it.
    public struct Owner: Sendable, Hashable, Decodable {
        public var user: GraphIdentity?
    }

    public var id: String
    public var name: String?
    public var driveType: String?
    public var webUrl: String?
    public var owner: Owner?

    /// Creates a drive.
    public init(id: String, name: String?, driveType: String?, webUrl: String?, owner: Owner? = nil) {
        self.id = id
        self.name = name
        self.driveType = driveType
        self.webUrl = webUrl
        self.owner = owner
    }
}

/// Who did something (`createdBy.user`, `lastModifiedBy.user`, `owner.user`).
public struct GraphIdentity: Sendable, Hashable, Decodable {
    public var id: String?
    public var displayName: String?
    public var email: String?

    /// The most useful single name: the e-mail if known, else the display name.
    public var bestName: String? { email ?? displayName }
}
