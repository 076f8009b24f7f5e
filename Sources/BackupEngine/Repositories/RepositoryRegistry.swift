import ChunkStore
import Foundation
import LifeboatModel
import Logging

/// Opens each backup repository once and hands the same `Repository` to every run that writes or reads it.
public actor RepositoryRegistry {
    private let password: String?
    private let createsMissingRepositories: Bool
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
    ///   - password: nil when none is configured: opening a repository then fails naming the missing password, so
    ///     work that never opens one (registering an organization, listing jobs) does not need it.
    ///   - createsMissingRepositories: whether a record whose folder or bucket prefix holds no repository yet gets an
    ///     empty one on first use (tests, benchmarks). An installation passes false, so a repository is created only
    ///     on purpose (`lifeboat repo init`), where its password is shown, never as the side effect of a run or a typo.
    ///   - keyDerivation: scrypt cost for repositories this registry initializes.
    ///   - s3: the S3 service for repositories at `s3://bucket/prefix` locations (see `RepositoryLocation`).
    ///   - indexCache: where each repository's chunk index cache lives (a server passes a folder of its data directory).
    public init(
        password: String?, keyDerivation: KeyDerivationParameters = .default, s3: S3Access? = nil,
        indexCache: IndexCacheLocation = .temporaryDirectory, createsMissingRepositories: Bool = true,
        logger: Logger = Logger(label: "lifeboat.chunkstore")
    ) {
        self.password = password
        self.createsMissingRepositories = createsMissingRepositories
        self.keyDerivation = keyDerivation
        self.indexCache = indexCache
        self.logger = logger
        self.stores = RepositoryStores(s3: s3, logger: logger)
    }

    /// The open repository behind a catalog record; initializes an empty folder or bucket prefix on first use when the
    /// registry creates missing repositories, and opens it again when a prune replaced its index files since (`wasPruned`,
    /// one listing of `index/`).
    ///
    /// Throws `EngineError.repositoryUnavailable` when no password is configured, or when the location holds no
    /// repository and the registry does not create missing ones.
    public func repository(for record: BackupRepository) async throws -> Repository {
        if let existing = open[record.id] {
            if try await !wasPruned(existing, record: record) { return existing }
            open[record.id] = nil
        }
        guard let password else {
            throw EngineError.repositoryUnavailable(
                "no repository password is configured, so repository '\(record.name)' cannot be opened "
                    + "(set LIFEBOAT_REPOSITORY_PASSWORD or lifeboat.repository.password)")
        }
        let missing = EngineError.repositoryUnavailable(
            "\(record.location) holds no repository (no 'config' object); create it first with "
                + "`lifeboat repo init \(record.location)`, which shows where its password is kept")
        // Checked before opening the store, which would create a missing folder.
        if !createsMissingRepositories, case .directory(let path) = try RepositoryLocation(record.location),
            !FileManager.default.fileExists(atPath: path + "/config")
        {
            throw missing
        }
        let store = try stores.store(for: record.location)
        let repository: Repository
        if try await store.head(key: "config") == nil {
            guard createsMissingRepositories else { throw missing }
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
