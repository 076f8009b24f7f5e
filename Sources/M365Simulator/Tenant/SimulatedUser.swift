/// A user of the simulated tenant, owner of one OneDrive for Business.
public struct SimulatedUser: Sendable, Hashable {
    /// Object id (GUID).
    public var id: String
    /// User principal name, e.g. `alice@contoso.onmicrosoft.com`.
    public var upn: String
    /// Display name, e.g. "Alice Smith".
    public var displayName: String
    /// Id of the user's OneDrive.
    public var driveID: String
}
