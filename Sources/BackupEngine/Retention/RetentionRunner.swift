import Catalog
import Foundation
import LifeboatModel
import Logging

/// What retention did, or would do, in one repository.
public struct RepositoryRetention: Sendable {
    /// The repository.
    public var repository: BackupRepository
    /// Its policy.
    public var policy: RetentionPolicy
    /// Points backed up before this instant expire; nil when the policy keeps everything.
    public var cutoff: Date?
    /// One outcome per job writing to the repository.
    public var outcomes: [RetentionOutcome]

    /// Points expired over all jobs.
    public var pointsExpired: Int { outcomes.reduce(0) { $0 + $1.pointsExpired } }
    /// Item versions removed over all jobs.
    public var versionsRemoved: Int { outcomes.reduce(0) { $0 + $1.versionsRemoved } }
    /// Their bytes over all jobs, before deduplication.
    public var bytesRemoved: Int64 { outcomes.reduce(0) { $0 + $1.bytesRemoved } }
}

/// Applies each repository's retention policy to the jobs that write to it (see `SQLCatalog.applyRetention`).
///
/// Expired points leave every listing at once; their content stays in the repository until `prune` removes what no
/// catalog row references any more. Repositories without a policy keep everything.
public struct RetentionRunner: Sendable {
    private let catalog: any CatalogStore
    private let logger: Logger

    /// Creates a runner over the catalog.
    public init(catalog: any CatalogStore, logger: Logger) {
        self.catalog = catalog
        self.logger = logger
    }

    /// Applies (or with `dryRun` only measures) every repository's policy at `now`; repositories without one are left out.
    public func apply(now: Date = Date(), dryRun: Bool) async throws -> [RepositoryRetention] {
        let jobs = try await catalog.jobs()
        var results: [RepositoryRetention] = []
        for repository in try await catalog.repositories() {
            guard let policy = repository.retention else { continue }
            let cutoff = policy.cutoff(at: now)
            var outcomes: [RetentionOutcome] = []
            for job in jobs where job.repositoryID == repository.id {
                guard let cutoff else {
                    outcomes.append(RetentionOutcome(jobID: job.id))
                    continue
                }
                let outcome = try await catalog.applyRetention(jobID: job.id, expiringBefore: cutoff, now: now, dryRun: dryRun)
                outcomes.append(outcome)
                if !dryRun, outcome.pointsExpired > 0 || outcome.versionsRemoved > 0 {
                    logger.info(
                        "Retention expired restore points",
                        metadata: [
                            "lifeboat.job.id": "\(job.id)", "lifeboat.retention.points": "\(outcome.pointsExpired)",
                            "lifeboat.retention.versions": "\(outcome.versionsRemoved)",
                        ])
                }
            }
            results.append(RepositoryRetention(repository: repository, policy: policy, cutoff: cutoff, outcomes: outcomes))
        }
        return results
    }
}
