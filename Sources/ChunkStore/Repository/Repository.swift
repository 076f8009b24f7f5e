import Crypto
import Foundation
import Logging
import NIOCore
import NIOFoundationCompat

/// An open, unlocked content repository: deduplicated, compressed, encrypted chunks in packs on an `ObjectStore`.
///
/// Store streams with `store(_:)`, make them durable with `flush()`, read them back with `read(_:)`.
/// Chunking, hashing, compression and encryption run in the calling task; only index and pack bookkeeping
/// runs on the actor, so concurrent `store` calls use several cores. One process should write a repository
/// at a time (locks arrive later); any number may read.
public actor Repository {
    private let store: any ObjectStore
    private let config: RepositoryConfig
    private let material: [UInt8]
    private let logger: Logger
    private nonisolated let sealer: ChunkSealer
    private nonisolated let chunking: ChunkingParameters

    /// Packs are sealed when the open pack reaches this many bytes; tests lower it.
    private(set) var packTargetSize = PackWriter.defaultTargetSize

    /// Changes the pack size target (tests use small packs to exercise many packs cheaply).
    func setPackTargetSize(_ size: Int) {
        packTargetSize = size
    }

    private var index: [ChunkID: ChunkLocation] = [:]
    private var packIDs: [PackID] = []
    private var packNumbers: [PackID: UInt32] = [:]
    private var openPack = PackWriter()
    private var uploads: [PackID: Task<Void, any Error>] = [:]
    private var uploadingBlobs: [PackID: ByteBuffer] = [:]
    /// Packs uploaded but not yet named by an index file; `flush()` writes them.
    private var unindexedPacks: [(PackID, [PackEntry])] = []
    private var writtenPacks = 0
    /// A pack upload that failed since the last flush; the next `flush()` reports it, because content
    /// returned by earlier `store` calls may have lived in that pack.
    private var uploadFailureSinceFlush: (any Error)?
    private var storedBytes: Int64 = 0
    /// The `keys/` object this repository was unlocked with; `changePassword` replaces it.
    private var unlockedKey: String

    static let keysPrefix = "keys/"

    private init(
        store: any ObjectStore, config: RepositoryConfig, material: SymmetricKey, unlockedKey: String, logger: Logger
    ) {
        self.store = store
        self.config = config
        self.unlockedKey = unlockedKey
        self.material = material.withUnsafeBytes { Array($0) }
        self.logger = logger
        self.sealer = ChunkSealer(keys: RepositoryKeys(material: material))
        self.chunking = config.chunking
    }

    // MARK: - Creating and opening

    /// Creates a new repository in an empty store, protected by `password`.
    ///
    /// Writes a key file, then `config` (last, so a half-initialized store is not mistaken for a repository).
    /// Throws `ChunkStoreError.repositoryAlreadyExists` when the store already holds one. `chunking` is fixed
    /// for the repository's life.
    public static func initialize(
        store: any ObjectStore, password: String, parameters: KeyDerivationParameters = .default,
        chunking: ChunkingParameters = .default, logger: Logger = Logger(label: "lifeboat.chunkstore")
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
        return Repository(store: store, config: config, material: material, unlockedKey: keyObject, logger: logger)
    }

    /// Opens an existing repository: unlocks the master key with `password` and loads every index file.
    ///
    /// Throws `ChunkStoreError.wrongPassword` when no key file opens, `.repositoryNotFound` when there is no
    /// `config`. Costs one scrypt derivation per key file tried plus reading all of `index/`.
    public static func open(
        store: any ObjectStore, password: String, logger: Logger = Logger(label: "lifeboat.chunkstore")
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
        let repository = Repository(
            store: store, config: config, material: unlocked.material, unlockedKey: unlocked.key, logger: logger)
        try await repository.loadIndex()
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
        let plaintext = index.values.reduce(Int64(0)) { $0 + Int64($1.rawLength) }
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
    private func append(id: ChunkID, sealed: ByteBuffer, rawLength: Int) async throws -> Bool {
        guard index[id] == nil else { return false }
        let entry = openPack.append(id: id, sealed: sealed, rawLength: rawLength)
        index[id] = ChunkLocation(pack: ChunkLocation.openPack, entry: entry)
        storedBytes += Int64(entry.length)
        if openPack.size >= packTargetSize {
            try await sealOpenPack()
        }
        return true
    }

    /// Makes everything stored so far durable (seal open pack, write packs and index). Only after this may a caller report data backed up.
    ///
    /// Throws when any pack or the index file could not be written; then nothing stored since the last
    /// successful flush may be considered durable (the failed chunks are dropped and will be stored again).
    public func flush() async throws {
        defer { uploadFailureSinceFlush = nil }
        try await sealOpenPack()
        while let (_, upload) = uploads.first {
            try await upload.value
        }
        try await writeIndexFile()
        if let failure = uploadFailureSinceFlush { throw failure }
    }

    /// Writes one index file naming every uploaded pack that no index file names yet.
    private func writeIndexFile() async throws {
        guard !unindexedPacks.isEmpty else { return }
        let batch = unindexedPacks
        let key = IndexFile.prefix + Self.randomHex(byteCount: 32)
        try await store.put(key: key, data: try IndexFile.encode(batch, sealer: sealer))
        let written = Set(batch.map(\.0))
        unindexedPacks.removeAll { written.contains($0.0) }
        logger.debug(
            "wrote index file",
            metadata: ["lifeboat.index": "\(key)", "lifeboat.packs": "\(batch.count)"])
    }

    /// Seals the open pack and uploads it; the pack stays readable from memory until the upload completes.
    private func sealOpenPack() async throws {
        guard !openPack.isEmpty else { return }
        let sealed = try openPack.seal(sealer: sealer)
        openPack = PackWriter()
        let number = register(sealed.id)
        for entry in sealed.entries {
            index[entry.id] = ChunkLocation(pack: number, entry: entry)
        }
        uploadingBlobs[sealed.id] = sealed.blob
        let store = self.store
        // The task records the outcome itself, so every awaiter (this call, a concurrent flush) sees it done.
        let upload = Task {
            do {
                try await store.put(key: sealed.id.objectKey, data: sealed.blob)
            } catch {
                self.packUploadFailed(sealed, number: number, error: error)
                throw error
            }
            self.packUploaded(sealed)
        }
        uploads[sealed.id] = upload
        try await upload.value
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

    private func packUploadFailed(_ pack: SealedPack, number: UInt32, error: any Error) {
        uploads[pack.id] = nil
        uploadingBlobs[pack.id] = nil
        uploadFailureSinceFlush = error
        for entry in pack.entries where index[entry.id]?.pack == number {
            index[entry.id] = nil
            storedBytes -= Int64(entry.length)
        }
        logger.error(
            "pack upload failed; its chunks will be stored again",
            metadata: ["lifeboat.pack": "\(pack.id)", "lifeboat.error": "\(error)"])
    }

    private func register(_ pack: PackID) -> UInt32 {
        if let number = packNumbers[pack] { return number }
        let number = UInt32(packIDs.count)
        packIDs.append(pack)
        packNumbers[pack] = number
        return number
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
        index[id] != nil
    }

    /// Counters for the repository as this process sees it.
    public var statistics: RepositoryStatistics {
        RepositoryStatistics(chunks: index.count, packs: writtenPacks, storedBytes: storedBytes)
    }

    /// Where to fetch a chunk's sealed bytes; throws `ChunkStoreError.chunkNotFound` for unknown ids.
    func locate(_ id: ChunkID) throws -> ChunkSource {
        guard let location = index[id] else { throw ChunkStoreError.chunkNotFound(id: id.hex) }
        let rawLength = Int(location.rawLength)
        if location.pack == ChunkLocation.openPack {
            return .memory(
                sealed: openPack.sealedChunk(offset: Int(location.offset), length: Int(location.length)),
                rawLength: rawLength)
        }
        let pack = packIDs[Int(location.pack)]
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

    private func loadIndex() async throws {
        let files = try await store.list(prefix: IndexFile.prefix)
        for file in files {
            let data = try await store.get(key: file.key, range: nil)
            for (pack, entries) in try IndexFile.decode(data, key: file.key, sealer: sealer) {
                let isNew = packNumbers[pack] == nil
                let number = register(pack)
                if isNew { writtenPacks += 1 }
                for entry in entries where index[entry.id] == nil {
                    index[entry.id] = ChunkLocation(pack: number, entry: entry)
                    storedBytes += Int64(entry.length)
                }
            }
        }
        logger.info(
            "opened repository",
            metadata: [
                "lifeboat.repository": "\(config.id)", "lifeboat.indexFiles": "\(files.count)",
                "lifeboat.chunks": "\(index.count)",
            ])
    }

    /// The index entries of every chunk that lives in a written pack (open-pack chunks are left out).
    func indexedEntries() -> [ChunkID: IndexEntry] {
        var result: [ChunkID: IndexEntry] = [:]
        for (id, location) in index where location.pack != ChunkLocation.openPack {
            result[id] = IndexEntry(
                pack: packIDs[Int(location.pack)],
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
