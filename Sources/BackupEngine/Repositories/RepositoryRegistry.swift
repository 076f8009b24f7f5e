import ChunkStore
import Foundation
import LifeboatModel
import Logging

/// Opens each backup repository once and hands the same `Repository` to every run that writes or reads it.
public actor RepositoryRegistry {
    private let password: String
    private let keyDerivation: KeyDerivationParameters
    private let indexCache: IndexCacheLocation
    private let logger: Logger
    /// Opens the folder or S3 bucket a repository record names.
    public nonisolated let stores: RepositoryStores
    var open: [UUID: Repository] = [:]
    /// Backup runs writing each repository now (see `withWriteAccess`).
    var activeWriters: [UUID: Int] = [:]
    /// Each open repository's index files when it was opened or its last writer ended; one vanishing means a prune ran.
    var indexFilesAtRest: [UUID: Set<String>] = [:]

    /// Creates a registry; `password` unlocks every repository it opens (per-repository passwords arrive with the repository engine).
    /// - Parameters:
    ///   - keyDerivation: scrypt cost for repositories this registry initializes.
    ///   - s3: the S3 service for repositories at `s3://bucket/prefix` locations (see `RepositoryLocation`).
    ///   - indexCache: where each repository's chunk index cache lives (a server passes a folder of its data directory).
    public init(
        password: String, keyDerivation: KeyDerivationParameters = .default, s3: S3Access? = nil,
        indexCache: IndexCacheLocation = .temporaryDirectory, logger: Logger = Logger(label: "lifeboat.chunkstore")
    ) {
        self.password = password
        self.keyDerivation = keyDerivation
        self.indexCache = indexCache
        self.logger = logger
        self.stores = RepositoryStores(s3: s3, logger: logger)
    }

    /// The open repository behind a catalog record; initializes an empty folder or bucket prefix on first use, and opens
    /// it again when a prune replaced its index files since (`wasPruned`, one listing of `index/`).
    public func repository(for record: BackupRepository) async throws -> Repository {
        if let existing = open[record.id] {
            if try await !wasPruned(existing, record: record) { return existing }
            open[record.id] = nil
        }
        let store = try stores.store(for: record.location)
        let repository: Repository
        if try await store.head(key: "config") == nil {
            repository = try await Repository.initialize(
                store: store, password: password, parameters: keyDerivation, indexCache: indexCache, logger: logger)
        } else {
            repository = try await Repository.open(store: store, password: password, indexCache: indexCache, logger: logger)
        }
        open[record.id] = repository
        // The listing the index was built from: listing again now would miss a prune that ran since `open` listed.
        indexFilesAtRest[record.id] = repository.indexFilesAtOpen
        return repository
    }
}
