import Crypto
import Foundation
import Logging
import NIOCore
import NIOFoundationCompat

/// An open, unlocked content repository: deduplicated, compressed, encrypted chunks in packs on an `ObjectStore`.
///
/// Store streams with `store(_:)`, make them durable with `flush()`, read them back with `read(_:)`.
/// Chunking, hashing, compression and encryption run in the calling task; only index and pack bookkeeping
/// runs on the actor, so concurrent `store` calls use several cores. Several processes may write one repository at
/// once (each writes its own packs and index files) under shared locks, while `prune` needs the exclusive one
/// (`locks()`); any number may read.
public actor Repository {
    let store: any ObjectStore
    private let config: RepositoryConfig
    private let material: [UInt8]
    private let logger: Logger
    private nonisolated let sealer: ChunkSealer
    private nonisolated let chunking: ChunkingParameters

    /// Packs are sealed when the open pack reaches this many bytes; tests lower it.
    private(set) var packTargetSize = PackWriter.defaultTargetSize

    /// Changes the pack size target (tests and the crash writer use small packs to exercise many packs cheaply).
    package func setPackTargetSize(_ size: Int) {
        packTargetSize = size
    }

    /// Chunk id → pack and offset: memory-mapped sorted segments plus this process's additions (see `ChunkIndex`).
    private var index: ChunkIndex
    private var openPack = PackWriter()
    private var uploads: [PackID: Task<Void, any Error>] = [:]
    private var uploadingBlobs: [PackID: ByteBuffer] = [:]
    /// Packs uploaded but not yet named by an index file; `flush()` writes them.
    private var unindexedPacks: [(PackID, [PackEntry])] = []
    private var writtenPacks = 0
    /// Pack uploads that failed since this instance was opened; a flush reports those since its caller's mark,
    /// because content returned by earlier `store` calls (stored or deduplicated) may have lived in such a pack.
    private var uploadFailures = 0
    /// The latest of those failures, which a flush throws.
    private var lastUploadFailure: (any Error)?
    /// `uploadFailures` when `flush()` (without a mark) last ended.
    private var uploadFailuresSeenByFlush = 0
    private var storedBytes: Int64 = 0
    /// The `keys/` object this repository was unlocked with; `changePassword` replaces it.
    private var unlockedKey: String

    static let keysPrefix = "keys/"

    private init(
        store: any ObjectStore, config: RepositoryConfig, material: SymmetricKey, unlockedKey: String, index: ChunkIndex,
        logger: Logger
    ) {
        self.store = store
        self.index = index
        self.config = config
        self.unlockedKey = unlockedKey
        self.material = material.withUnsafeBytes { Array($0) }
        self.logger = logger
        self.sealer = ChunkSealer(keys: RepositoryKeys(material: material))
        self.chunking = config.chunking
        self.indexFilesAtOpen = index.openedFromIndexFiles
    }

    /// The index files the chunk index was built from when this instance was opened (empty for a new repository).
    ///
    /// Compare it with a later `indexFiles()`: a member gone means a prune replaced the index since, so this instance
    /// may deduplicate against deleted chunks and must be opened again. Listing afresh after `open` instead would
    /// miss a prune that ran in between.
    public nonisolated let indexFilesAtOpen: Set<String>

    // MARK: - Creating and opening

    /// Creates a new repository in an empty store, protected by `password`.
    ///
    /// Writes a key file, then `config` (last, so a half-initialized store is not mistaken for a repository).
    /// Throws `ChunkStoreError.repositoryAlreadyExists` when the store already holds one. `chunking` is fixed
    /// for the repository's life.
    public static func initialize(
        store: any ObjectStore, password: String, parameters: KeyDerivationParameters = .default,
        chunking: ChunkingParameters = .default, indexCache: IndexCacheLocation = .temporaryDirectory,
        logger: Logger = Logger(label: "lifeboat.chunkstore")
    ) async throws -> Repository {
        try chunking.validate()
        try parameters.validate()
        if try await store.head(key: RepositoryConfig.objectKey) != nil { throw ChunkStoreError.repositoryAlreadyExists }
        let material = SymmetricKey(size: SymmetricKeySize(bitCount: RepositoryKeys.materialByteCount * 8))
        let config = RepositoryConfig(
            version: RepositoryConfig.formatVersion, id: randomHex(byteCount: 32), chunking: chunking,
            created: Date())
        let keyObject = try await writeKeyFile(
            store: store, material: material, password: password, parameters: parameters, repositoryID: config.id)
        try await store.put(key: RepositoryConfig.objectKey, data: ByteBuffer(data: try config.encoded()))
        logger.info("initialized repository", metadata: ["lifeboat.repository": "\(config.id)"])
        return Repository(
            store: store, config: config, material: material, unlockedKey: keyObject,
            index: ChunkIndex(folder: indexCache.folder(repositoryID: config.id)), logger: logger)
    }

    /// Opens an existing repository: unlocks the master key with `password` and loads the chunk index.
    ///
    /// Throws `ChunkStoreError.wrongPassword` when no key file opens, `.repositoryNotFound` when there is no
    /// `config`. Costs one scrypt derivation per key file tried plus listing `index/`; index files are read only
    /// when `indexCache` holds no valid segment for them (first open, another writer's flush, after a prune).
    public static func open(
        store: any ObjectStore, password: String, indexCache: IndexCacheLocation = .temporaryDirectory,
        logger: Logger = Logger(label: "lifeboat.chunkstore")
    ) async throws -> Repository {
        let configData: ByteBuffer
        do {
            configData = try await store.get(key: RepositoryConfig.objectKey, range: nil)
        } catch ChunkStoreError.objectNotFound {
            throw ChunkStoreError.repositoryNotFound
        }
        let config = try RepositoryConfig.decode(Data(buffer: configData))
        var unlocked: (material: SymmetricKey, key: String)?
        for info in try await store.list(prefix: keysPrefix) {
            let keyFile = try await readKeyFile(store: store, key: info.key)
            do {
                unlocked = (try keyFile.unwrap(password: password, repositoryID: config.id, key: info.key), info.key)
                break
            } catch ChunkStoreError.wrongPassword {
                continue
            }
        }
        guard let unlocked else { throw ChunkStoreError.wrongPassword }
        let sealer = ChunkSealer(keys: RepositoryKeys(material: unlocked.material))
        let index = try await ChunkIndex.open(
            source: StoreIndexFiles(store: store, sealer: sealer), folder: indexCache.folder(repositoryID: config.id),
            logger: logger)
        let repository = Repository(
            store: store, config: config, material: unlocked.material, unlockedKey: unlocked.key, index: index,
            logger: logger)
        await repository.adoptIndexStatistics()
        return repository
    }

    /// Adds another password that unlocks this repository (a new `keys/` object wrapping the same master key).
    ///
    /// Returns the new key file's object key. No data is rewritten; every existing password keeps working.
    @discardableResult
    public func addPassword(_ password: String, parameters: KeyDerivationParameters = .default) async throws -> String {
        try await Self.writeKeyFile(
            store: store, material: SymmetricKey(data: material), password: password, parameters: parameters,
            repositoryID: config.id)
    }

    /// Replaces the password this repository was opened with: adds a key file for `newPassword`, checks that it
    /// opens, then deletes the key file of the old password. Other passwords are untouched.
    ///
    /// Returns the new key file's object key. A crash in between leaves both passwords working, never neither.
    @discardableResult
    public func changePassword(to newPassword: String, parameters: KeyDerivationParameters = .default) async throws -> String {
        let added = try await addPassword(newPassword, parameters: parameters)
        _ = try await Self.readKeyFile(store: store, key: added)
            .unwrap(password: newPassword, repositoryID: config.id, key: added)
        let old = unlockedKey
        unlockedKey = added
        try await store.delete(key: old)
        logger.info("changed repository password", metadata: ["lifeboat.repository": "\(config.id)", "lifeboat.key": "\(added)"])
        return added
    }

    /// Deletes one key file (`RepositoryInfo.keys` lists them), so its password no longer opens the repository.
    ///
    /// Throws `ChunkStoreError.lastKey` rather than leave the repository without a key, and `.objectNotFound`
    /// for an unknown key. Removing the key this repository was opened with is allowed; it stays open.
    public func removeKey(_ key: String) async throws {
        let keys = try await store.list(prefix: Self.keysPrefix)
        guard keys.contains(where: { $0.key == key }) else { throw ChunkStoreError.objectNotFound(key) }
        guard keys.count > 1 else { throw ChunkStoreError.lastKey(key) }
        try await store.delete(key: key)
    }

    /// Describes the repository: identity, chunking, key files (their cost parameters, never secrets) and size.
    ///
    /// Reads every key file; counts come from the loaded index.
    public func info() async throws -> RepositoryInfo {
        var keys: [RepositoryKeyInfo] = []
        for object in try await store.list(prefix: Self.keysPrefix) {
            let file = try await Self.readKeyFile(store: store, key: object.key)
            keys.append(
                RepositoryKeyInfo(
                    key: object.key, created: file.created, kdf: file.kdf, parameters: file.parameters,
                    isCurrent: object.key == unlockedKey))
        }
        let plaintext = index.statistics.plaintextBytes
        return RepositoryInfo(
            id: config.id, formatVersion: config.version, created: config.created, chunking: config.chunking, keys: keys,
            indexFiles: try await store.list(prefix: IndexFile.prefix).count, statistics: statistics,
            plaintextBytes: plaintext)
    }

    /// Checks what the store holds for this repository (see `RepositoryCheck.run`): durable state only, so
    /// content stored but not yet flushed is not covered and packs awaiting their index file show as unreferenced.
    public nonisolated func check(
        readData: Bool, concurrency: Int = RepositoryCheck.defaultConcurrency,
        progress: @escaping @Sendable (CheckProgress) -> Void = { _ in }
    ) async throws -> CheckReport {
        try await RepositoryCheck(store: store, sealer: sealer, repositoryID: config.id)
            .run(readData: readData, concurrency: concurrency, progress: progress)
    }

    /// The repository's random identifier (64 hex digits), as recorded in `config`.
    public nonisolated var repositoryID: String { config.id }

    // MARK: - Storing

    /// Stores a stream of bytes; returns where the content lives and how many new (not deduplicated) bytes it added.
    ///
    /// The content is chunked as it arrives (at most one maximum-size chunk is buffered). Nothing is durable
    /// until `flush()` returns; until then the manifest is readable in this process only.
    public nonisolated func store<S: AsyncSequence & Sendable>(
        _ content: S
    ) async throws -> StoredContent where S.Element == ByteBuffer {
        var chunker = Chunker(parameters: chunking, gear: sealer.keys.gear)
        var chunks: [ChunkID] = []
        var size: Int64 = 0
        var newBytes: Int64 = 0
        for try await buffer in content {
            size += Int64(buffer.readableBytes)
            chunker.append(buffer)
            while let chunk = chunker.nextChunk() {
                let (id, added) = try await storeChunk(chunk)
                chunks.append(id)
                newBytes += added
            }
        }
        chunker.finish()
        while let chunk = chunker.nextChunk() {
            let (id, added) = try await storeChunk(chunk)
            chunks.append(id)
            newBytes += added
        }
        return StoredContent(manifest: ContentManifest(size: size, chunks: chunks), newBytes: newBytes)
    }

    /// Hashes, and unless already known seals, one chunk off the actor; returns its id and the new plaintext bytes.
    private nonisolated func storeChunk(_ chunk: ByteBuffer) async throws -> (ChunkID, Int64) {
        let id = sealer.chunkID(of: chunk)
        if await contains(id) { return (id, 0) }
        let sealed = try sealer.seal(chunk, id: id)
        let added = try await append(id: id, sealed: sealed, rawLength: chunk.readableBytes)
        return (id, added ? Int64(chunk.readableBytes) : 0)
    }

    /// Adds a sealed chunk to the open pack unless another task stored it meanwhile; seals the pack when full.
    private func append(id: ChunkID, sealed: Data, rawLength: Int) async throws -> Bool {
        guard !index.contains(id) else { return false }
        let entry = openPack.append(id: id, sealed: sealed, rawLength: rawLength)
        index.insertIntoOpenPack(id, offset: entry.offset, length: entry.length, rawLength: entry.rawLength)
        storedBytes += Int64(entry.length)
        if openPack.size >= packTargetSize {
            try await sealOpenPack()
        }
        return true
    }

    /// Makes everything stored so far durable (seal open pack, write packs and index). Only after this may a caller report data backed up.
    ///
    /// Throws when any pack or the index file could not be written, or a pack upload failed since the previous
    /// `flush()`; then nothing stored since the last successful flush may be considered durable (the failed chunks
    /// are dropped and will be stored again). Meant for a single writer: when several tasks write this instance,
    /// each must use `flush(failingOnUploadsFailedSince:)` with the mark it took when it started.
    public func flush() async throws {
        let mark = UploadFailureMark(failures: uploadFailuresSeenByFlush)
        defer { uploadFailuresSeenByFlush = uploadFailures }
        try await flush(failingOnUploadsFailedSince: mark)
    }

    /// Like `flush()`, but throws when any pack upload of this instance failed after `mark` was taken (see
    /// `uploadFailureMark`), whoever's flush noticed it first.
    ///
    /// A writer takes the mark before its first `store` and passes it to every flush: content it stored or
    /// deduplicated against may have been in any pack that failed since, even one sealed by another writer.
    public func flush(failingOnUploadsFailedSince mark: UploadFailureMark) async throws {
        try await sealOpenPack()
        while let (_, upload) = uploads.first {
            try await upload.value
        }
        try await writeIndexFile()
        if uploadFailures > mark.failures, let failure = lastUploadFailure { throw failure }
    }

    /// A mark to pass to `flush(failingOnUploadsFailedSince:)`: pack upload failures before it do not concern a
    /// writer that starts now (their chunks are already dropped from the index, so it cannot deduplicate against them).
    public var uploadFailureMark: UploadFailureMark {
        UploadFailureMark(failures: uploadFailures)
    }

    /// Writes one index file naming every uploaded pack that no index file names yet.
    private func writeIndexFile() async throws {
        guard !unindexedPacks.isEmpty else { return }
        let batch = unindexedPacks
        let key = IndexFile.prefix + Self.randomHex(byteCount: 32)
        try await store.put(key: key, data: try IndexFile.encode(batch, sealer: sealer))
        let written = Set(batch.map(\.0))
        unindexedPacks.removeAll { written.contains($0.0) }
        await indexFileWritten(key, packs: batch.map(\.0))
        logger.debug(
            "wrote index file",
            metadata: ["lifeboat.index": "\(key)", "lifeboat.packs": "\(batch.count)"])
    }

    /// Seals the open pack and uploads it; the pack stays readable from memory until the upload completes.
    private func sealOpenPack() async throws {
        guard !openPack.isEmpty else { return }
        // The table is the only step that can throw; until it exists the open pack, which the index points into, stays.
        let table = try openPack.sealedTable(sealer: sealer)
        let sealed = takeOpenPack().finish(table: table)
        index.sealOpenPack(as: sealed.id, entries: sealed.entries)
        uploadingBlobs[sealed.id] = sealed.blob
        let store = self.store
        // The task records the outcome itself, so every awaiter (this call, a concurrent flush) sees it done.
        let upload = Task {
            do {
                try await store.put(key: sealed.id.objectKey, data: sealed.blob)
            } catch {
                self.packUploadFailed(sealed, error: error)
                throw error
            }
            self.packUploaded(sealed)
        }
        uploads[sealed.id] = upload
        try await upload.value
    }

    /// Hands over the open pack and starts a new one, leaving the caller the only owner of the pack's buffer (so
    /// finishing appends the table in place instead of copying the pack).
    private func takeOpenPack() -> PackWriter {
        defer { openPack = PackWriter(targetSize: packTargetSize) }
        return openPack
    }

    private func packUploaded(_ pack: SealedPack) {
        uploads[pack.id] = nil
        uploadingBlobs[pack.id] = nil
        unindexedPacks.append((pack.id, pack.entries))
        writtenPacks += 1
        logger.debug(
            "wrote pack",
            metadata: ["lifeboat.pack": "\(pack.id)", "lifeboat.bytes": "\(pack.blob.readableBytes)"])
    }

    private func packUploadFailed(_ pack: SealedPack, error: any Error) {
        uploads[pack.id] = nil
        uploadingBlobs[pack.id] = nil
        uploadFailures += 1
        lastUploadFailure = error
        storedBytes -= index.removeFailedPack(pack.id, entries: pack.entries)
        logger.error(
            "pack upload failed; its chunks will be stored again",
            metadata: ["lifeboat.pack": "\(pack.id)", "lifeboat.error": "\(error)"])
    }

    // MARK: - Reading

    /// Streams the content back, verifying every chunk (GCM tag + recomputed id); corruption throws, never returns wrong bytes.
    ///
    /// Works for content stored but not yet flushed in this process. Chunks are fetched one at a time with
    /// ranged gets as the consumer pulls, so memory stays at about one chunk.
    public nonisolated func read(_ manifest: ContentManifest) -> AsyncThrowingStream<ByteBuffer, any Error> {
        let reader = ContentReader(repository: self, manifest: manifest, sealer: sealer, store: store)
        return AsyncThrowingStream(unfolding: { try await reader.next() })
    }

    /// Whether the repository (including unflushed content of this process) holds the chunk.
    public func contains(_ id: ChunkID) -> Bool {
        index.contains(id)
    }

    /// Counters for the repository as this process sees it.
    public var statistics: RepositoryStatistics {
        RepositoryStatistics(chunks: index.statistics.chunks, packs: writtenPacks, storedBytes: storedBytes)
    }

    /// Where to fetch a chunk's sealed bytes; throws `ChunkStoreError.chunkNotFound` for unknown ids.
    ///
    /// When the index cache turns out damaged where the chunk would be, rebuilds it from the index files first.
    func locate(_ id: ChunkID) async throws -> ChunkSource {
        let found: ChunkIndex.Location?
        do {
            found = try index.locate(id)
        } catch {
            try await repairIndex(after: error)
            found = try index.locate(id)
        }
        guard let location = found else { throw ChunkStoreError.chunkNotFound(id: id.hex) }
        let rawLength = Int(location.rawLength)
        guard let pack = location.pack else {
            return .memory(
                sealed: openPack.sealedChunk(offset: Int(location.offset), length: Int(location.length)),
                rawLength: rawLength)
        }
        if let blob = uploadingBlobs[pack] {
            let start = blob.readerIndex + Int(location.offset)
            return .memory(
                sealed: ByteBuffer(bytes: blob.readableBytesView[start..<(start + Int(location.length))]),
                rawLength: rawLength)
        }
        let entry = IndexEntry(
            pack: pack,
            entry: PackEntry(id: id, offset: location.offset, length: location.length, rawLength: location.rawLength))
        return .object(key: pack.objectKey, range: entry.range, rawLength: rawLength)
    }

    // MARK: - Index

    /// Changes how many chunks named by index files the in-memory delta holds before they are folded into an
    /// index cache segment (tests lower it to exercise segments with a few chunks).
    func setIndexMergeThreshold(_ threshold: Int) {
        index.mergeThreshold = threshold
    }

    /// Takes the packs and stored bytes of the index loaded at open as this process's starting counters.
    private func adoptIndexStatistics() {
        let statistics = index.statistics
        writtenPacks = statistics.indexedPacks
        storedBytes = statistics.storedBytes
        logger.info(
            "opened repository",
            metadata: [
                "lifeboat.repository": "\(config.id)", "lifeboat.chunks": "\(statistics.chunks)",
                "lifeboat.indexSegments": "\(index.segmentCount)",
            ])
    }

    /// Notes that index file `key` names `packs`, and folds the chunks index files name into a cache segment
    /// once there are enough. A failure to write the cache is logged, never thrown: the cache is disposable.
    private func indexFileWritten(_ key: String, packs: [PackID]) async {
        index.markIndexed(packs, by: key)
        guard index.wantsMerge, let job = index.makeMergeJob() else { return }
        do {
            let segments = try await job.run(source: StoreIndexFiles(store: store, sealer: sealer))
            index.finish(job, result: segments)
        } catch {
            index.abandon(job)
            logger.warning("could not update the index cache", metadata: ["lifeboat.error": "\(error)"])
        }
    }

    /// Rebuilds the index cache from the index files after `damage` was found in it; rethrows anything else.
    private func repairIndex(after damage: any Error) async throws {
        guard damage is IndexCacheError else { throw damage }
        logger.warning("index cache damaged; rebuilding it", metadata: ["lifeboat.reason": "\(damage)"])
        guard let job = index.makeRepairJob() else { throw damage }
        do {
            index.finish(job, result: try await job.run(source: StoreIndexFiles(store: store, sealer: sealer)))
        } catch {
            index.abandon(job)
            throw error
        }
    }

    /// The index entries of every chunk that lives in a written pack (open-pack chunks are left out).
    ///
    /// Holds them all in a dictionary: meant for tests and small repositories, not for 100 million chunks.
    func indexedEntries() throws -> [ChunkID: IndexEntry] {
        var result: [ChunkID: IndexEntry] = [:]
        try index.forEachSealedEntry { id, location in
            guard let pack = location.pack, result[id] == nil else { return }
            result[id] = IndexEntry(
                pack: pack,
                entry: PackEntry(id: id, offset: location.offset, length: location.length, rawLength: location.rawLength))
        }
        return result
    }

    /// Rebuilds the index from the tables at the end of every pack in the store, ignoring index files.
    ///
    /// The recovery path when index files are lost; reads only each pack's trailer and table.
    func rebuildIndexFromPacks() async throws -> [ChunkID: IndexEntry] {
        var result: [ChunkID: IndexEntry] = [:]
        for info in try await store.list(prefix: "packs/") {
            guard let pack = PackID(objectKey: info.key) else { continue }
            for entry in try await PackTable.read(key: info.key, store: store, sealer: sealer) where result[entry.id] == nil {
                result[entry.id] = IndexEntry(pack: pack, entry: entry)
            }
        }
        return result
    }

    // MARK: - Keys

    private static func writeKeyFile(
        store: any ObjectStore, material: SymmetricKey, password: String, parameters: KeyDerivationParameters,
        repositoryID: String
    ) async throws -> String {
        let keyFile = try KeyFile.wrap(
            material: material, password: password, parameters: parameters, repositoryID: repositoryID)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        encoder.dateEncodingStrategy = .iso8601
        let key = keysPrefix + randomHex(byteCount: 16)
        try await store.put(key: key, data: ByteBuffer(data: try encoder.encode(keyFile)))
        return key
    }

    static func readKeyFile(store: any ObjectStore, key: String) async throws -> KeyFile {
        let data = try await store.get(key: key, range: nil)
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        do {
            return try decoder.decode(KeyFile.self, from: Data(buffer: data))
        } catch {
            throw ChunkStoreError.corruptMetadata(key: key, reason: "unreadable key file: \(error)")
        }
    }

    static func randomHex(byteCount: Int) -> String {
        var generator = SystemRandomNumberGenerator()
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(byteCount * 2)
        for _ in 0..<byteCount {
            let byte = UInt8.random(in: 0...255, using: &generator)
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
