import Foundation

/// What a `locks/` object says: who holds the repository, how, and since when. Stored as clear JSON, so
/// `lifeboat repo unlock` and people reading the store can see it without the password.
public struct LockInfo: Codable, Sendable, Hashable, CustomStringConvertible {
    /// How a lock shares the repository.
    public enum Kind: String, Codable, Sendable, Hashable {
        /// Taken by writers (backup runs): any number may hold one at once, but not while an exclusive lock exists.
        case shared
        /// Taken by `prune`: no other lock may exist while it is held.
        case exclusive
    }

    /// Shared or exclusive.
    public var kind: Kind
    /// The host name of the machine whose process holds the lock.
    public var hostname: String
    /// The holding process's id on that host.
    public var pid: Int32
    /// When the lock was taken.
    public var created: Date
    /// When the holder last proved it is alive; a lock not refreshed for `LockPolicy.staleAfter` is stale.
    public var refreshed: Date
    /// What the holder is doing, for people (`backup run IB…`, `prune`).
    public var purpose: String
    /// The holder's boot (`/proc/sys/kernel/random/boot_id`); nil when unknown or written by an older version.
    public var bootID: String?
    /// The inode of the holder's pid namespace (`/proc/self/ns/pid`); nil when unknown or written by an older version.
    /// With `hostname` and `bootID` it tells whether `pid` can be probed from here (containers share host names).
    public var pidNamespace: UInt64?

    /// Creates a lock description.
    public init(
        kind: Kind, hostname: String, pid: Int32, created: Date, refreshed: Date, purpose: String, bootID: String? = nil,
        pidNamespace: UInt64? = nil
    ) {
        self.kind = kind
        self.hostname = hostname
        self.pid = pid
        self.created = created
        self.refreshed = refreshed
        self.purpose = purpose
        self.bootID = bootID
        self.pidNamespace = pidNamespace
    }

    /// Whether this lock and a lock of `other` kind cannot both be held: any pair with an exclusive lock.
    public func conflicts(with other: Kind) -> Bool {
        kind == .exclusive || other == .exclusive
    }

    /// `exclusive lock (prune) held by pid 42 on host "backup-1" since 2026-11-24T22:00:00Z, refreshed 2026-11-24T22:05:00Z`.
    public var description: String {
        let formatter = ISO8601DateFormatter()
        return "\(kind.rawValue) lock (\(purpose)) held by pid \(pid) on host \"\(hostname)\" since "
            + "\(formatter.string(from: created)), refreshed \(formatter.string(from: refreshed))"
    }

    func encoded() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        encoder.dateEncodingStrategy = .iso8601
        return try encoder.encode(self)
    }

    static func decode(_ data: Data, key: String) throws -> LockInfo {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        do {
            return try decoder.decode(LockInfo.self, from: data)
        } catch {
            throw ChunkStoreError.corruptMetadata(key: key, reason: "unreadable lock: \(error)")
        }
    }
}
