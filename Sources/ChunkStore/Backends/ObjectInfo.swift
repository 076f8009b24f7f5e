/// What an object store knows about one stored object.
public struct ObjectInfo: Sendable, Hashable {
    /// The object's key, e.g. `packs/ab/abcdef...`.
    public var key: String
    /// The object's size in bytes.
    public var size: Int64

    /// Creates an object description.
    public init(key: String, size: Int64) {
        self.key = key
        self.size = size
    }
}
