import Logging
import NIOCore

/// Removes what no backup references any more from a repository, crash-safely.
///
/// Under an exclusive lock (so no backup writes meanwhile): reads every index file and the pack listing, plans
/// (`PrunePlan`), copies the referenced chunks of under-used packs into new packs, writes one new index naming
/// every surviving pack, and only once that is durable deletes the index files it replaces and then the packs it
/// emptied. Interrupted at any point, the repository still opens with every referenced chunk readable and passes
/// `check`; at worst it holds extra packs or duplicate index entries that the next prune removes.
public struct RepositoryPrune: Sendable {
    /// Index entries per new index file, so no single index object grows without bound (about 11 MiB each).
    static let entriesPerIndexFile = 1 << 18

    let store: any ObjectStore
    let sealer: ChunkSealer
    /// The id of the repository being pruned.
    public let repositoryID: String
    private let locks: RepositoryLocks
    private let logger: Logger

    init(store: any ObjectStore, sealer: ChunkSealer, repositoryID: String, lockPolicy: LockPolicy, logger: Logger) {
        self.store = store
        self.sealer = sealer
        self.repositoryID = repositoryID
        self.locks = RepositoryLocks(store: store, policy: lockPolicy, logger: logger)
        self.logger = logger
    }

    /// Unlocks the repository in `store` with `password` without loading its index (prune reads it itself).
    ///
    /// Throws as `RepositoryCheck.unlock` does (`.repositoryNotFound`, `.wrongPassword`, `.corruptMetadata`).
    public static func unlock(
        store: any ObjectStore, password: String, lockPolicy: LockPolicy = .default,
        logger: Logger = Logger(label: "lifeboat.chunkstore")
    ) async throws -> RepositoryPrune {
        let check = try await RepositoryCheck.unlock(store: store, password: password)
        return RepositoryPrune(
            store: store, sealer: check.sealer, repositoryID: check.repositoryID, lockPolicy: lockPolicy, logger: logger)
    }

    /// Prunes the repository, keeping every chunk in the set `referencedChunks` returns; each must be in the store.
    ///
    /// Same as `run(_:references:)` with `PruneReferences(stored:)`.
    public func run(
        _ options: PruneOptions = PruneOptions(), referencedChunks: () async throws -> Set<ChunkID>
    ) async throws -> PruneReport {
        try await run(options) { PruneReferences(stored: try await referencedChunks()) }
    }

    /// Prunes the repository, keeping every chunk in `references().kept`.
    ///
    /// `references` is called once the lock is held, so a backup committing just before cannot be missed;
    /// it must return every chunk any retained content uses (the catalog's manifests). Takes an exclusive lock
    /// (a shared one for a dry run) and throws `ChunkStoreError.repositoryLocked` when a backup holds the
    /// repository, `.pruneRefused` when an index file is unreadable or a chunk of `references().stored` is in no
    /// pack, and `.corruptChunk` when a chunk to be copied fails verification (nothing is deleted then).
    public func run(
        _ options: PruneOptions = PruneOptions(), references: () async throws -> PruneReferences
    ) async throws -> PruneReport {
        try options.validate()
        return try await locks.withLock(options.dryRun ? .shared : .exclusive, purpose: options.dryRun ? "prune --dry-run" : "prune") {
            lock in
            let referenced = try await references()
            let (plan, unreadable) = try await makePlan(referenced: referenced, options: options)
            var report = PruneReport(dryRun: options.dryRun)
            report.unreadablePacks = unreadable
            if options.dryRun {
                let newBytes = plan.estimatedNewPackBytes(packTargetSize: options.packTargetSize)
                report.chunksCopied = plan.repacked.reduce(0) { $0 + $1.copies.count }
                report.packsWritten = newBytes == 0 ? 0 : Int((newBytes + Int64(options.packTargetSize) - 1) / Int64(options.packTargetSize))
                report.indexFilesWritten = plan.rewritesIndex ? 1 : 0
                report.indexFilesReplaced = plan.rewritesIndex ? plan.indexFiles.count : 0
                summarize(plan, newPackBytes: newBytes, into: &report)
                return report
            }
            try await execute(plan, options: options, lock: lock, into: &report)
            // Under the exclusive lock no writer is at work; what a write began more than a stale lock's age ago was
            // interrupted, however slow the store.
            // Best effort: the prune itself is done, and a store that will not list or abort uploads (a restrictive
            // bucket policy) must not turn it into a failure.
            do {
                try await lock.confirm()
                report.leftoversRemoved = try await store.removeLeftovers(olderThan: locks.policy.staleAfter)
            } catch {
                report.leftoverCleanupError = "\(error)"
                logger.warning(
                    "could not remove what interrupted writes left",
                    metadata: ["lifeboat.repository": "\(repositoryID)", "lifeboat.error": "\(error)"])
            }
            logger.info(
                "pruned repository",
                metadata: [
                    "lifeboat.repository": "\(repositoryID)", "lifeboat.prune.packsDeleted": "\(report.packsDeleted)",
                    "lifeboat.prune.packsRepacked": "\(report.packsRepacked)", "lifeboat.prune.bytesFreed": "\(report.bytesFreed)",
                ])
            return report
        }
    }

    /// Reads the index files, the pack listing and the tables of unindexed packs, and plans.
    func makePlan(referenced: PruneReferences, options: PruneOptions) async throws -> (PrunePlan, unreadable: [String]) {
        var index: [(key: String, packs: [(PackID, [PackEntry])])] = []
        for file in try await store.list(prefix: IndexFile.prefix) {
            do {
                let data = try await store.get(key: file.key, range: nil)
                index.append((file.key, try IndexFile.decode(data, key: file.key, sealer: sealer)))
            } catch let error as ChunkStoreError where RepositoryCheck.isDamage(error) {
                throw ChunkStoreError.pruneRefused(
                    "index file '\(file.key)' is unreadable (\(RepositoryCheck.reason(error))), so the packs it names would look "
                        + "unused; run `lifeboat repo check` and repair the index first")
            }
        }
        var stored: [PackID: Int64] = [:]
        for object in try await store.list(prefix: "packs/") {
            if let pack = PackID(objectKey: object.key) { stored[pack] = object.size }
        }
        let indexed = Set(index.flatMap { $0.packs.map(\.0) })
        var tables: [PackID: [PackEntry]] = [:]
        var unreadable: [String] = []
        for pack in stored.keys.sorted() where !indexed.contains(pack) {
            do {
                tables[pack] = try await PackTable.read(key: pack.objectKey, store: store, sealer: sealer)
            } catch let error as ChunkStoreError where RepositoryCheck.isDamage(error) {
                unreadable.append(pack.objectKey)
            }
        }
        let plan = try PrunePlan.make(
            index: index, stored: stored, unindexedTables: tables, references: referenced, options: options)
        return (plan, unreadable)
    }

    /// Copies, writes the new index, then deletes: each step only after the previous one is durable.
    private func execute(_ plan: PrunePlan, options: PruneOptions, lock: RepositoryLock, into report: inout PruneReport) async throws {
        var repacker = Repacker(store: store, sealer: sealer, packTargetSize: options.packTargetSize)
        for repack in plan.repacked where !repack.copies.isEmpty {
            try await repacker.copy(repack.copies, from: repack.pack.id)
        }
        try await repacker.finish()
        report.packsWritten = repacker.written.count
        report.chunksCopied = repacker.chunksCopied

        if plan.rewritesIndex {
            let surviving = plan.kept.map { ($0.id, $0.entries) } + repacker.written
            report.indexFilesWritten = try await writeIndex(surviving)
            try await lock.confirm()
            for key in plan.indexFiles { try await store.delete(key: key) }
            report.indexFilesReplaced = plan.indexFiles.count
        }
        try await lock.confirm()
        for pack in plan.deleted + plan.repacked.map(\.pack) {
            try await store.delete(key: pack.id.objectKey)
        }
        summarize(plan, newPackBytes: repacker.writtenBytes, into: &report)
    }

    /// Writes index files naming `packs`, at most `entriesPerIndexFile` entries each; returns how many it wrote.
    private func writeIndex(_ packs: [(PackID, [PackEntry])]) async throws -> Int {
        var written = 0
        var batch: [(PackID, [PackEntry])] = []
        var entries = 0
        for pack in packs {
            batch.append(pack)
            entries += pack.1.count
            if entries >= Self.entriesPerIndexFile {
                try await writeIndexFile(batch)
                written += 1
                batch = []
                entries = 0
            }
        }
        if !batch.isEmpty {
            try await writeIndexFile(batch)
            written += 1
        }
        return written
    }

    private func writeIndexFile(_ packs: [(PackID, [PackEntry])]) async throws {
        let key = IndexFile.prefix + Repository.randomHex(byteCount: 32)
        try await store.put(key: key, data: try IndexFile.encode(packs, sealer: sealer))
    }

    private func summarize(_ plan: PrunePlan, newPackBytes: Int64, into report: inout PruneReport) {
        report.packsBefore = plan.packsBefore
        report.bytesBefore = plan.bytesBefore
        report.packsDeleted = plan.deleted.count
        report.unindexedPacksDeleted = plan.deleted.count { !$0.isIndexed }
        report.packsRepacked = plan.repacked.count
        report.packsKept = plan.kept.count
        report.missingPacksDropped = plan.missingPacks.count
        report.chunksRemoved = plan.chunksBefore - plan.chunksSurviving
        let removed = plan.deleted.reduce(Int64(0)) { $0 + $1.size } + plan.repacked.reduce(Int64(0)) { $0 + $1.pack.size }
        report.bytesFreed = removed - newPackBytes
    }
}
