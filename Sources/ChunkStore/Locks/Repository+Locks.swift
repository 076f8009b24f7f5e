import Logging

extension Repository {
    /// The locks of this repository's store (see `RepositoryLocks`).
    public nonisolated func locks(policy: LockPolicy = .default, logger: Logger = Logger(label: "lifeboat.chunkstore")) -> RepositoryLocks {
        RepositoryLocks(store: store, policy: policy, logger: logger)
    }
}
