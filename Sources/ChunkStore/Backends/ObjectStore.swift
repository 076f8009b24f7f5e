import NIOCore

/// A flat key/value blob store that holds a repository (a local directory, later S3-compatible buckets).
///
/// Keys are `/`-separated relative paths such as `packs/ab/abcdef...`, `index/...`, `keys/...` and `config`.
/// Implementations must make `put` atomic and write-once: readers never see a partial object.
public protocol ObjectStore: Sendable {
    /// Stores `data` under `key` atomically and durably.
    ///
    /// Writing an existing key with identical content succeeds; differing content throws `ChunkStoreError.objectConflict`.
    func put(key: String, data: ByteBuffer) async throws

    /// Reads an object, or only `range` of it (byte offsets, upper bound exclusive).
    ///
    /// Throws `ChunkStoreError.objectNotFound` when missing and `.rangeNotSatisfiable` when the range exceeds the object.
    func get(key: String, range: Range<Int64>?) async throws -> ByteBuffer

    /// Returns the object's key and size, or `nil` when it does not exist.
    func head(key: String) async throws -> ObjectInfo?

    /// Lists every object whose key starts with `prefix`, sorted by key.
    func list(prefix: String) async throws -> [ObjectInfo]

    /// Deletes an object; deleting a missing key is not an error.
    func delete(key: String) async throws

    /// Removes what writes interrupted by a crash or a kill left behind and that began more than `age` ago (a local
    /// directory's temporary files, a bucket's incomplete multipart uploads, which are billed while they last), never
    /// an object, and tells what it removed. Only safe while no writer can still be finishing such a write: under
    /// prune's exclusive lock, with an `age` longer than any write takes.
    func removeLeftovers(olderThan age: Duration) async throws -> StoreLeftovers
}
