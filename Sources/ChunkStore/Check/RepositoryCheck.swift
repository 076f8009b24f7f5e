import BoundedConcurrency
import Foundation
import NIOCore
import NIOFoundationCompat

/// Verifies what a repository's store holds: key files, index files, every pack's table, the index against the
/// packs and, with `readData`, every chunk's bytes.
///
/// Reads the store only (never the in-memory state of an open `Repository`), so packs uploaded but not yet named
/// by an index file show as unreferenced. Damage is reported in the `CheckReport`, not thrown; `run` throws only
/// when the store itself cannot be read (unreachable, access denied, I/O errors).
public struct RepositoryCheck: Sendable {
    let store: any ObjectStore
    let sealer: ChunkSealer
    /// The id of the repository being checked.
    public let repositoryID: String

    /// Packs checked at once unless the caller says otherwise: one per core, at most four.
    public static var defaultConcurrency: Int { min(4, max(1, ProcessInfo.processInfo.activeProcessorCount)) }

    init(store: any ObjectStore, sealer: ChunkSealer, repositoryID: String) {
        self.store = store
        self.sealer = sealer
        self.repositoryID = repositoryID
    }

    /// Unlocks the repository in `store` with `password` without loading its index, so that a repository whose
    /// index files are damaged (which `Repository.open` refuses) can still be checked.
    ///
    /// Throws `ChunkStoreError.repositoryNotFound` without a `config`, `.corruptMetadata` when `config` or every
    /// key file is unreadable, `.wrongPassword` when no readable key file opens with `password`. Costs one scrypt
    /// derivation per key file tried.
    public static func unlock(store: any ObjectStore, password: String) async throws -> RepositoryCheck {
        let configData: ByteBuffer
        do {
            configData = try await store.get(key: RepositoryConfig.objectKey, range: nil)
        } catch ChunkStoreError.objectNotFound {
            throw ChunkStoreError.repositoryNotFound
        }
        let config = try RepositoryConfig.decode(Data(buffer: configData))
        var firstFailure: (any Error)?
        var readableKeyFiles = 0
        for info in try await store.list(prefix: Repository.keysPrefix) {
            do {
                let keyFile = try await Repository.readKeyFile(store: store, key: info.key)
                readableKeyFiles += 1
                let material = try keyFile.unwrap(password: password, repositoryID: config.id, key: info.key)
                return RepositoryCheck(
                    store: store, sealer: ChunkSealer(keys: RepositoryKeys(material: material)), repositoryID: config.id)
            } catch ChunkStoreError.wrongPassword {
                continue
            } catch let error as ChunkStoreError where Self.isDamage(error) {
                // Another key file may still open; `run` reports this one.
                firstFailure = firstFailure ?? error
            }
        }
        if readableKeyFiles == 0 {
            throw firstFailure ?? ChunkStoreError.corruptMetadata(key: Repository.keysPrefix, reason: "the repository has no key files")
        }
        throw ChunkStoreError.wrongPassword
    }

    /// Checks the repository and returns what it found.
    ///
    /// - Parameters:
    ///   - readData: also read every pack whole (ranged gets of 4 MiB), decrypt, decompress and re-hash every
    ///     chunk, and hash every pack against its name. Without it only pack tables (a few KiB per pack) are read.
    ///   - concurrency: packs checked at once. Memory stays at about `concurrency` × (4 MiB + the largest chunk
    ///     and its plaintext), independent of the repository's size, apart from the index held for comparison
    ///     (about 100 bytes per chunk).
    ///   - referencedChunks: chunks that content kept elsewhere (the catalog's manifests) uses; any the index does
    ///     not name is reported (`CheckProblem.referencedChunksMissing`) and added to `damagedChunks`.
    ///   - progress: called after each pack, from any task.
    public func run(
        readData: Bool, concurrency: Int = RepositoryCheck.defaultConcurrency, referencedChunks: Set<ChunkID> = [],
        progress: @escaping @Sendable (CheckProgress) -> Void = { _ in }
    ) async throws -> CheckReport {
        var report = CheckReport(repositoryID: repositoryID, readData: readData)

        let keyFiles = try await store.list(prefix: Repository.keysPrefix)
        report.keyFiles = keyFiles.count
        for info in keyFiles {
            do {
                _ = try await Repository.readKeyFile(store: store, key: info.key)
            } catch let error as ChunkStoreError where Self.isDamage(error) {
                report.problems.append(.unreadableKeyFile(key: info.key, reason: Self.reason(error)))
            }
        }

        let index = try await readIndex(into: &report)
        report.chunks = index.effective.count

        var packs: [(PackID, ObjectInfo)] = []
        var problemsByKey: [String: [CheckProblem]] = [:]
        for info in try await store.list(prefix: "packs/") {
            guard let pack = PackID(objectKey: info.key) else {
                problemsByKey[info.key, default: []].append(.unexpectedObject(key: info.key))
                continue
            }
            packs.append((pack, info))
        }
        report.packs = packs.count
        report.packBytes = packs.reduce(0) { $0 + $1.1.size }

        let outcomes = try await checkPacks(
            packs, index: index, readData: readData, concurrency: max(1, concurrency), totalBytes: report.packBytes,
            progress: progress)
        let present = Set(packs.map(\.0))
        for (pack, info) in packs {
            guard let outcome = outcomes[pack] else { continue }
            problemsByKey[info.key, default: []].append(contentsOf: outcome.problems)
            report.chunksRead += outcome.chunksRead
            report.bytesRead += outcome.bytesRead
            if index.packs[pack] == nil {
                report.unreferencedPacks.append(info.key)
                report.unreferencedBytes += info.size
            }
            for chunk in outcome.unreadable where index.effective[chunk] == pack {
                report.damagedChunks.insert(chunk)
            }
        }
        for (pack, entries) in index.packs where !present.contains(pack) {
            problemsByKey[pack.objectKey, default: []].append(.missingPack(pack: pack.objectKey, chunks: entries.count))
            for entry in entries where index.effective[entry.id] == pack {
                report.damagedChunks.insert(entry.id)
            }
        }
        for (_, problems) in problemsByKey.sorted(by: { $0.key < $1.key }) {
            report.problems.append(contentsOf: problems)
        }
        let unindexed = referencedChunks.filter { index.effective[$0] == nil }
        if !unindexed.isEmpty {
            report.problems.append(.referencedChunksMissing(count: unindexed.count, examples: Array(unindexed.sorted().prefix(3))))
            report.damagedChunks.formUnion(unindexed)
        }
        return report
    }

    /// The readable index files merged: entries per pack, and the pack a reader uses for each chunk.
    struct MergedIndex: Sendable {
        var packs: [PackID: [PackEntry]] = [:]
        /// Like `Repository.open`: the first index file (in key order) that names a chunk decides its pack.
        var effective: [ChunkID: PackID] = [:]
    }

    private func readIndex(into report: inout CheckReport) async throws -> MergedIndex {
        var index = MergedIndex()
        let files = try await store.list(prefix: IndexFile.prefix)
        report.indexFiles = files.count
        for file in files {
            let packs: [(PackID, [PackEntry])]
            do {
                let data = try await store.get(key: file.key, range: nil)
                packs = try IndexFile.decode(data, key: file.key, sealer: sealer)
            } catch let error as ChunkStoreError where Self.isDamage(error) {
                report.problems.append(.unreadableIndexFile(key: file.key, reason: Self.reason(error)))
                continue
            }
            for (pack, entries) in packs {
                if let known = index.packs[pack] {
                    if Set(known) != Set(entries) {
                        report.problems.append(
                            .indexDisagreesWithPack(
                                pack: pack.objectKey, chunk: nil,
                                reason: "index file '\(file.key)' lists other chunks for this pack than an earlier index file"))
                    }
                } else {
                    index.packs[pack] = entries
                }
                for entry in entries where index.effective[entry.id] == nil {
                    index.effective[entry.id] = pack
                }
            }
        }
        return index
    }

    private func checkPacks(
        _ packs: [(PackID, ObjectInfo)], index: MergedIndex, readData: Bool, concurrency: Int, totalBytes: Int64,
        progress: @escaping @Sendable (CheckProgress) -> Void
    ) async throws -> [PackID: PackCheck.Outcome] {
        let checks = packs.map { pack, info in
            PackCheck(
                store: store, sealer: sealer, pack: pack, size: info.size, indexEntries: index.packs[pack],
                readData: readData)
        }
        var outcomes: [PackID: PackCheck.Outcome] = [:]
        var bytesRead: Int64 = 0
        try await runConcurrently(checks, atMost: concurrency) { check in
            (check.pack, try await check.run())
        } onResult: { pack, outcome in
            outcomes[pack] = outcome
            bytesRead += outcome.bytesRead
            progress(CheckProgress(packsChecked: outcomes.count, packsTotal: checks.count, bytesRead: bytesRead, bytesTotal: totalBytes))
        }
        return outcomes
    }

    /// Whether an error means a damaged or vanished object (reported) rather than an unusable store (thrown).
    static func isDamage(_ error: ChunkStoreError) -> Bool {
        switch error {
        case .corruptMetadata, .corruptPack, .corruptChunk, .unsupportedVersion, .rangeNotSatisfiable, .objectNotFound,
            .invalidParameters:
            return true
        default:
            return false
        }
    }

    /// The part of an error's message that says what is wrong with the object.
    static func reason(_ error: ChunkStoreError) -> String {
        switch error {
        case .corruptMetadata(_, let reason), .corruptPack(_, let reason), .corruptChunk(_, let reason): return reason
        case .objectNotFound: return "it vanished during the check"
        default: return error.description
        }
    }
}
