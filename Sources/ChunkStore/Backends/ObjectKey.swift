/// The rules every `ObjectStore` applies to keys, so a repository can move between backends unchanged.
enum ObjectKey {
    /// Throws `ChunkStoreError.invalidKey` unless `key` is a non-empty relative path whose components are
    /// neither empty, `.`, `..` nor hidden (a leading `.` marks local temporary files).
    static func validate(_ key: String) throws {
        guard !key.isEmpty, !key.hasPrefix("/"), !key.contains("\0") else { throw ChunkStoreError.invalidKey(key) }
        for component in key.split(separator: "/", omittingEmptySubsequences: false) {
            guard !component.isEmpty, component != ".", component != "..", !component.hasPrefix(".") else {
                throw ChunkStoreError.invalidKey(key)
            }
        }
    }
}
