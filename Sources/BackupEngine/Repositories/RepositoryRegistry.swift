import ChunkStore
import Foundation
import LifeboatModel
import Logging

/// Opens each backup repository once and hands the same `Repository` to every run that writes or reads it.
public actor RepositoryRegistry {
    private let password: String
    private let keyDerivation: KeyDerivationParameters
    private let logger: Logger
    private var open: [UUID: Repository] = [:]

    /// Creates a registry; `password` unlocks every repository it opens (per-repository passwords arrive with the repository engine).
    /// - Parameter keyDerivation: scrypt cost for repositories this registry initializes.
    public init(
        password: String, keyDerivation: KeyDerivationParameters = .default, logger: Logger = Logger(label: "lifeboat.chunkstore")
    ) {
        self.password = password
        self.keyDerivation = keyDerivation
        self.logger = logger
    }

    /// The open repository behind a catalog record; initializes an empty directory on first use.
    public func repository(for record: BackupRepository) async throws -> Repository {
        if let existing = open[record.id] { return existing }
        let store: LocalDirectoryStore
        do {
            store = try LocalDirectoryStore(path: record.location)
        } catch {
            throw EngineError.repositoryUnavailable("\(record.location): \(error)")
        }
        let repository: Repository
        if try await store.head(key: "config") == nil {
            repository = try await Repository.initialize(store: store, password: password, parameters: keyDerivation, logger: logger)
        } else {
            repository = try await Repository.open(store: store, password: password, logger: logger)
        }
        open[record.id] = repository
        return repository
    }
}
