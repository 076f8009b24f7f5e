/// Everything that can go wrong in the content repository, with enough detail for a person to act on it.
public enum ChunkStoreError: Error, Sendable, Equatable, CustomStringConvertible {
    /// No key file in the repository could be unlocked with the given password.
    case wrongPassword
    /// The object store holds no repository (its `config` object is missing).
    case repositoryNotFound
    /// `initialize` was called on a store that already holds a repository.
    case repositoryAlreadyExists
    /// The repository was written by a newer, unknown format version.
    case unsupportedVersion(object: String, version: Int)
    /// An object key is malformed (empty, absolute, or containing `.`/`..` components).
    case invalidKey(String)
    /// The object does not exist in the store.
    case objectNotFound(String)
    /// A write-once object already exists with different content.
    case objectConflict(String)
    /// A ranged read asked for bytes outside the object.
    case rangeNotSatisfiable(key: String, lowerBound: Int64, upperBound: Int64, size: Int64)
    /// A file-system call failed.
    case io(operation: String, path: String, errno: Int32)
    /// A chunk failed verification (authentication tag, id or length); the repository copy is damaged.
    case corruptChunk(id: String, reason: String)
    /// A pack's table or trailer is damaged.
    case corruptPack(key: String, reason: String)
    /// An index file, key file or the config object is damaged.
    case corruptMetadata(key: String, reason: String)
    /// A manifest references a chunk that the repository index does not know.
    case chunkNotFound(id: String)
    /// A serialized content manifest is malformed.
    case invalidManifest(String)
    /// Chunker or key-derivation parameters are out of range.
    case invalidParameters(String)
    /// The object store refused the credentials or denied access (wrong access key or secret, missing permission).
    case storeAccessDenied(bucket: String, code: String)
    /// The object store answered a request with an error that retrying will not fix.
    case storeRequestFailed(operation: String, key: String, status: Int, code: String)
    /// The object store could not be reached, or kept failing, after every retry.
    case storeUnavailable(operation: String, key: String, reason: String)
    /// Removing this key file would leave the repository without any password that opens it.
    case lastKey(String)
    /// A chunk was compressed with an algorithm whose library this system lacks (zstd needs `libzstd`).
    case compressionUnavailable(algorithm: String)
    /// The compressor reported an error while sealing a chunk.
    case compressionFailed(algorithm: String, reason: String)
    /// Another process holds a conflicting lock on the repository (a prune, or a backup while pruning).
    case repositoryLocked(by: LockInfo)
    /// This process's lock object vanished while held (removed as stale), or was not refreshed in time to be sure
    /// nobody judges it stale; work that needed it must stop.
    case lockLost(key: String)
    /// `prune` refuses to run because the repository is not in a state it can safely prune.
    case pruneRefused(String)

    /// A sentence describing the error and what to do about it.
    public var description: String {
        switch self {
        case .wrongPassword:
            return "wrong repository password: no key in keys/ could be unlocked with it"
        case .repositoryNotFound:
            return "no repository found (the 'config' object is missing); initialize one first"
        case .repositoryAlreadyExists:
            return "a repository already exists in this store; open it instead of initializing"
        case .unsupportedVersion(let object, let version):
            return "'\(object)' has format version \(version), which this build does not understand; upgrade Lifeboat"
        case .invalidKey(let key):
            return "invalid object key '\(key)': keys are relative paths without empty, '.' or '..' components"
        case .objectNotFound(let key):
            return "object '\(key)' not found in the repository store"
        case .objectConflict(let key):
            return "object '\(key)' already exists with different content; objects are write-once"
        case .rangeNotSatisfiable(let key, let lower, let upper, let size):
            return "range \(lower)..<\(upper) is outside object '\(key)' of \(size) bytes"
        case .io(let operation, let path, let errno):
            return "\(operation) failed for '\(path)' (errno \(errno)); check permissions and free space"
        case .corruptChunk(let id, let reason):
            return "chunk \(id) is corrupt (\(reason)); run a repository check"
        case .corruptPack(let key, let reason):
            return "pack '\(key)' is corrupt (\(reason)); run a repository check"
        case .corruptMetadata(let key, let reason):
            return "repository object '\(key)' is corrupt (\(reason))"
        case .chunkNotFound(let id):
            return "chunk \(id) is not in the repository index; the content was never flushed or was pruned"
        case .invalidManifest(let reason):
            return "invalid content manifest: \(reason)"
        case .invalidParameters(let reason):
            return "invalid parameters: \(reason)"
        case .storeAccessDenied(let bucket, let code):
            return "the object store denied access to bucket '\(bucket)' (\(code)); check the access key id, secret and bucket policy"
        case .storeRequestFailed(let operation, let key, let status, let code):
            return "object store \(operation) of '\(key)' failed with HTTP \(status) (\(code))"
        case .storeUnavailable(let operation, let key, let reason):
            return "object store \(operation) of '\(key)' kept failing after retries (\(reason)); check the endpoint and network"
        case .lastKey(let key):
            return "'\(key)' is the repository's only key file; add another password before removing it"
        case .compressionUnavailable(let algorithm):
            return "this repository holds \(algorithm)-compressed chunks but lib\(algorithm) is not installed; install it "
                + "(Debian/Ubuntu: apt-get install lib\(algorithm)1) and try again"
        case .compressionFailed(let algorithm, let reason):
            return "\(algorithm) compression failed: \(reason)"
        case .repositoryLocked(let holder):
            return "the repository is locked: \(holder); wait for it to finish, or if that process is gone run "
                + "`lifeboat repo unlock` (a lock goes stale 30 minutes after its last refresh)"
        case .lockLost(let key):
            return "the repository lock '\(key)' was removed while held (someone ran unlock); stopped to keep the repository safe"
        case .pruneRefused(let reason):
            return "prune refused: \(reason)"
        }
    }
}
