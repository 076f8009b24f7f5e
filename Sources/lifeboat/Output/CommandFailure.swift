/// A command that cannot go on, with the message an admin needs to act on it (printed without a stack of types).
struct CommandFailure: Error, CustomStringConvertible {
    /// What went wrong and what to do.
    var description: String

    /// Creates a failure with its message.
    init(_ description: String) {
        self.description = description
    }
}
