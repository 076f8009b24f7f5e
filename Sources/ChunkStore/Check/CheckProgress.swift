/// How far a `RepositoryCheck` has come; reported after each pack.
public struct CheckProgress: Sendable, Hashable {
    /// Packs whose check finished.
    public var packsChecked: Int
    /// Packs to check.
    public var packsTotal: Int
    /// Pack bytes read so far (`readData` only; structural checks read only tables).
    public var bytesRead: Int64
    /// Pack bytes to read with `readData` (the sum of the pack sizes).
    public var bytesTotal: Int64

    /// Creates a progress value.
    public init(packsChecked: Int, packsTotal: Int, bytesRead: Int64, bytesTotal: Int64) {
        self.packsChecked = packsChecked
        self.packsTotal = packsTotal
        self.bytesRead = bytesRead
        self.bytesTotal = bytesTotal
    }
}
