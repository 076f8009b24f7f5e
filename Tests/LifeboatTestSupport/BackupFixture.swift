import AsyncHTTPClient
import BackupEngine
import Catalog
import ChunkStore
import Foundation
import LifeboatModel
import Logging
import M365Graph
import M365Simulator
import NIOCore

/// A simulated tenant on loopback wired to a temporary catalog and repository, with one organization and one
/// backup job of the whole tenant: everything a backup or restore test needs, torn down by `with`.
public struct BackupFixture: Sendable {
    /// The running simulator; mutate `simulator.tenant` between backups.
    public let simulator: RunningSimulator
    /// The temporary catalog.
    public let catalog: SQLCatalog
    /// The registry that opens the fixture's repository (cheap key derivation).
    public let repositories: RepositoryRegistry
    /// The runner executing backups of `job`.
    public let runner: BackupRunner
    /// The runner executing restore jobs into the simulated tenant (small upload limits, so tests exercise sessions).
    public let restoreRunner: RestoreRunner
    /// The organization registered for the simulated tenant.
    public let organization: Organization
    /// The repository record (a directory under the fixture's temporary folder).
    public let repositoryRecord: BackupRepository
    /// The backup job of the whole tenant.
    public let job: BackupJob
    /// The shared HTTP client the Graph connector uses.
    public let httpClient: HTTPClient
    /// Temporary folder holding the catalog and the repository.
    public let directory: URL

    /// The repository password every fixture uses.
    public static let repositoryPassword = "fixture-repository-password"

    /// The organization's Graph pacing: its budget (nil: unpaced, as custom endpoints are by default) and the window
    /// Graph counts it over, shortened together with the simulator's.
    public struct Pacing: Sendable {
        /// Resource units per minute.
        public var resourceUnitsPerMinute: Int?
        /// The budget's window.
        public var window: Duration

        /// Creates a pacing.
        public init(resourceUnitsPerMinute: Int?, window: Duration = .seconds(60)) {
            self.resourceUnitsPerMinute = resourceUnitsPerMinute
            self.window = window
        }
    }

    /// Starts a simulator for `spec`, registers it as an organization with a job of `scope`, runs `body`,
    /// and always shuts everything down and deletes the temporary folders.
    public static func with<Result: Sendable>(
        _ spec: TenantSpec = .small(seed: 11), scope: BackupScope = .entireOrganization,
        pacing: Pacing = Pacing(resourceUnitsPerMinute: nil),
        configure: (inout SimulatorConfiguration) -> Void = { _ in },
        _ body: (BackupFixture) async throws -> Result
    ) async throws -> Result {
        var logger = Logger(label: "lifeboat.test.fixture")
        logger.logLevel = .warning
        var configuration = SimulatorConfiguration(tenant: spec)
        configure(&configuration)
        let simulator = try await RunningSimulator.start(configuration, logger: logger)
        let temporary: TemporaryCatalog
        do {
            temporary = try await TemporaryCatalog.make(logger: logger)
        } catch {
            try? await simulator.shutdown()
            throw error
        }
        let httpClient = GraphClient.makeHTTPClient()
        let fixture: BackupFixture
        do {
            fixture = try await make(
                simulator: simulator, temporary: temporary, httpClient: httpClient, scope: scope, pacing: pacing, logger: logger)
        } catch {
            try? await httpClient.shutdown()
            try? await temporary.remove()
            try? await simulator.shutdown()
            throw error
        }
        do {
            let result = try await body(fixture)
            try await fixture.tearDown(temporary)
            return result
        } catch {
            try? await fixture.tearDown(temporary)
            throw error
        }
    }

    private static func make(
        simulator: RunningSimulator, temporary: TemporaryCatalog, httpClient: HTTPClient, scope: BackupScope, pacing: Pacing,
        logger: Logger
    ) async throws -> BackupFixture {
        let catalog = temporary.catalog
        let organization = Organization(
            name: "\(simulator.tenant.spec.domain).onmicrosoft.com", tenantID: simulator.tenantID, clientID: simulator.clientID,
            loginBaseURL: simulator.loginBaseURL, graphBaseURL: simulator.graphBaseURL,
            resourceUnitsPerMinute: pacing.resourceUnitsPerMinute)
        try await catalog.insertOrganization(organization)
        try await catalog.setGraphSecret(simulator.clientSecret, organizationID: organization.id)
        let repositoryRecord = BackupRepository(
            name: "Fixture repository", location: temporary.directory.appendingPathComponent("repository").path)
        try await catalog.insertRepository(repositoryRecord)
        let job = BackupJob(
            organizationID: organization.id, repositoryID: repositoryRecord.id, name: "Whole tenant", scope: scope)
        try await catalog.insertJob(job)
        let repositories = RepositoryRegistry(password: repositoryPassword, keyDerivation: .insecureFastForTesting)
        let connector = CatalogGraphConnector(
            catalog: catalog, httpClient: httpClient,
            retryPolicy: GraphClient.RetryPolicy(maxAttempts: 6, initialBackoff: .milliseconds(5)), budgetWindow: pacing.window,
            logger: logger)
        let runner = BackupRunner(catalog: catalog, repositories: repositories, connector: connector, logger: logger)
        let restoreRunner = RestoreRunner(
            catalog: catalog, repositories: repositories, connector: connector,
            limits: RestoreLimits(simpleUploadLimit: 256 * 1024, fragmentSize: 2 * UploadSession.fragmentQuantum), logger: logger)
        return BackupFixture(
            simulator: simulator, catalog: catalog, repositories: repositories, runner: runner, restoreRunner: restoreRunner,
            organization: organization,
            repositoryRecord: repositoryRecord, job: job, httpClient: httpClient, directory: temporary.directory)
    }

    private func tearDown(_ temporary: TemporaryCatalog) async throws {
        try await httpClient.shutdown()
        try await simulator.shutdown()
        try await temporary.remove()
    }

    /// Runs the fixture's job to its end and returns the finished run.
    public func backUp(fullEnumeration: Bool = false) async throws -> JobRun {
        try await runner.runNow(jobID: job.id, fullEnumeration: fullEnumeration)
    }

    /// The fixture's repository, opened through its registry.
    public func repository() async throws -> Repository {
        try await repositories.repository(for: repositoryRecord)
    }

    /// Reads the bytes a catalog row points to back from the fixture's repository.
    public func storedBytes(of version: ItemVersion) async throws -> [UInt8] {
        try await Self.read(version, from: repository())
    }

    /// Reads the bytes a row of `point` points to back from that point's repository, the only one a restore reads.
    public func storedBytes(of version: ItemVersion, in point: RestorePoint) async throws -> [UInt8] {
        guard let record = try await catalog.repository(id: point.repositoryID) else {
            throw CatalogError.notFound("Repository \(point.repositoryID) of restore point \(point.id)")
        }
        return try await Self.read(version, from: repositories.repository(for: record))
    }

    private static func read(_ version: ItemVersion, from repository: Repository) async throws -> [UInt8] {
        guard let serialized = version.content else { return [] }
        let manifest = try ContentManifest(serialized: serialized)
        var bytes: [UInt8] = []
        for try await buffer in repository.read(manifest) {
            bytes += buffer.readableBytesView
        }
        return bytes
    }
}
