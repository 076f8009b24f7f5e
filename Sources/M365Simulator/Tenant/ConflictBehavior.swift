/// What to do when a created or uploaded item's name is already taken in the target folder (`@microsoft.graph.conflictBehavior`).
public enum ConflictBehavior: String, Sendable, Hashable {
    /// Refuse with 409 `nameAlreadyExists`.
    case fail
    /// Replace the existing file's content (adding a version).
    case replace
    /// Keep both: the new item gets "name 1.ext".
    case rename
}
