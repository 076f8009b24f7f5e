import AsyncHTTPClient
import BackupEngine
import Catalog
import Crypto
import Foundation
import LifeboatModel
import LifeboatServer
import Logging
import M365Graph

/// The long-lived parts of one Lifeboat node on this machine: the catalog, the repositories, the Graph client
/// and the backup and restore runners, opened from the settings. `shutdown()` closes them.
struct LocalInstallation: Sendable {
    let settings: LifeboatSettings
    let catalog: SQLCatalog
    let repositories: RepositoryRegistry
    let httpClient: HTTPClient
    let runner: BackupRunner
    let restores: RestoreRunner
    /// Posts run notifications to the configured webhook, from a task of its own; nil without a webhook.
    let notifier: WebhookNotifier?
    let notifierTask: Task<Void, Never>?
    let logger: Logger

    /// Opens (creating on first use) the data folder, its catalog and key.
    /// - Parameters:
    ///   - createSecrets: generate the catalog key and repository password files when missing
    ///     (quickstart); otherwise a missing repository password is an error naming how to set it.
    ///   - needsRepositoryPassword: false for commands that never open a repository (registering an organization,
    ///     listing jobs): they run without a repository password configured.
    static func open(
        _ settings: LifeboatSettings, logger: Logger, createSecrets: Bool, needsRepositoryPassword: Bool = true
    ) async throws -> LocalInstallation {
        let data = settings.dataDirectory
        try PrivateFolder.create(data, logger: logger)
        let secrets = SecretFiles(directory: data)
        let catalogKey: SymmetricKey
        if let configured = settings.catalogKey {
            guard let bytes = Data(base64Encoded: configured), bytes.count == 32 else {
                throw CommandFailure("lifeboat.catalog.key (LIFEBOAT_CATALOG_KEY) must be base64 of 32 bytes.")
            }
            catalogKey = SymmetricKey(data: bytes)
        } else {
            catalogKey = SymmetricKey(data: try secrets.readOrCreate("catalog.key", create: true) {
                SymmetricKey(size: .bits256).withUnsafeBytes { Data($0) }.base64EncodedString()
            }.base64Decoded(name: "catalog.key"))
        }
        let password: String?
        if let configured = settings.repositoryPassword {
            password = configured
        } else if let stored = try secrets.read("repository.password") {
            password = stored
        } else if createSecrets {
            password = try secrets.readOrCreate("repository.password", create: true) {
                SymmetricKey(size: .bits256).withUnsafeBytes { Data($0) }.base64EncodedString()
            }
        } else if needsRepositoryPassword {
            throw CommandFailure(
                "No repository password: set LIFEBOAT_REPOSITORY_PASSWORD (or lifeboat.repository.password in the config file), "
                    + "or run `lifeboat quickstart` once to create \(data.appendingPathComponent("repository.password").path).")
        } else {
            password = nil
        }

        // Settings errors surface before the catalog opens, so nothing needs closing when they throw.
        let s3 = try settings.s3Access
        let webhook = try settings.webhook()
        let catalog: SQLCatalog
        do {
            catalog = try await SQLCatalog.openSQLite(path: settings.catalogPath, secretKey: catalogKey, logger: logger)
        } catch {
            throw CommandFailure("Cannot open the catalog \(settings.catalogPath): \(error)")
        }
        for record in (try? await catalog.repositories()) ?? [] {
            if case .directory(let path) = try? RepositoryLocation(record.location), FileManager.default.fileExists(atPath: path) {
                PrivateFolder.warnIfShared(URL(fileURLWithPath: path), logger: logger)
            }
        }
        // A repository is created only on purpose (`repo init`, quickstart's own), where its password is shown.
        let repositories = RepositoryRegistry(
            password: password, s3: s3, indexCache: settings.indexCache, createsMissingRepositories: false, logger: logger)
        let httpClient = GraphClient.makeHTTPClient()
        let connector = CatalogGraphConnector(catalog: catalog, httpClient: httpClient, logger: logger)
        // One owner for every run this process leases, renewed together.
        let leases = RunLeaseKeeper(catalog: catalog, logger: logger)
        let notifier = webhook.map { WebhookNotifier(configuration: $0, httpClient: httpClient, logger: logger) }
        let notifierTask = notifier.map { notifier in Task<Void, Never> { _ = try? await notifier.run() } }
        let runner = BackupRunner(
            catalog: catalog, repositories: repositories, connector: connector,
            downloadConcurrency: settings.backupConcurrency, leases: leases, notifier: notifier, logger: logger)
        let restores = RestoreRunner(
            catalog: catalog, repositories: repositories, connector: connector, leases: leases, logger: logger)
        return LocalInstallation(
            settings: settings, catalog: catalog, repositories: repositories, httpClient: httpClient, runner: runner,
            restores: restores, notifier: notifier, notifierTask: notifierTask, logger: logger)
    }

    /// Opens the installation, runs `body`, and closes it whether `body` throws or not.
    static func with<Result: Sendable>(
        _ options: SettingsOptions, defaultLogLevel: Logger.Level = .warning, createSecrets: Bool = false,
        needsRepositoryPassword: Bool = true, _ body: (LocalInstallation) async throws -> Result
    ) async throws -> Result {
        let settings = try await LifeboatSettings.load(options)
        let installation = try await open(
            settings, logger: try settings.makeLogger(defaultLevel: defaultLogLevel), createSecrets: createSecrets,
            needsRepositoryPassword: needsRepositoryPassword)
        do {
            let result = try await body(installation)
            await installation.shutdown()
            return result
        } catch let error as RepositoryRecordError {
            await installation.shutdown()
            throw CommandFailure(error)
        } catch {
            await installation.shutdown()
            throw error
        }
    }

    /// The repository folder quickstart creates inside the data folder.
    var defaultRepositoryPath: String { settings.dataDirectory.appendingPathComponent("repository").path }

    /// The repository record at a folder or `s3://bucket/prefix`, registering it on first use.
    func repositoryRecord(at location: String) async throws -> BackupRepository {
        if let existing = try await catalog.repositories().first(where: { $0.location == location }) { return existing }
        let name = RepositoryLocation.isS3(location) ? location : URL(fileURLWithPath: location).lastPathComponent
        let record = BackupRepository(name: name, location: location)
        try await catalog.insertRepository(record)
        return record
    }

    /// Creates an API user with every scope; fails when the name is taken.
    func addAdministrator(name: String, password: String) async throws {
        if try await catalog.credential(name: name) != nil {
            throw CommandFailure("A user or application named '\(name)' already exists.")
        }
        try await catalog.insertPrincipal(
            StoredCredential(
                principal: Principal(name: name, kind: .user, scopes: ["admin"]), secretHash: try SecretHasher().hash(password)))
    }

    /// What the HTTP server needs, with a backup worker running this installation's jobs.
    /// The scheduler starts scheduled runs on that worker.
    func serverDependencies() -> ServerDependencies {
        let worker = BackupWorker(runner: runner, logger: logger)
        let scheduler = JobScheduler(store: CatalogScheduleStore(catalog: catalog), starter: worker, logger: logger)
        return ServerDependencies(
            catalog: catalog, worker: worker, restores: restores,
            restoreWorker: RestoreWorker(runner: restores, logger: logger), issuer: TokenIssuer(catalog: catalog),
            hasher: SecretHasher(), backgroundServices: [scheduler], logger: logger)
    }

    /// A job named by its id or its exact name.
    func job(named reference: String) async throws -> BackupJob {
        let jobs = try await catalog.jobs()
        if let id = UUID(uuidString: reference), let job = jobs.first(where: { $0.id == id }) { return job }
        let matches = jobs.filter { $0.name == reference }
        guard matches.count == 1, let job = matches.first else {
            let known = jobs.map { "\($0.name) (\($0.id.uuidString.lowercased()))" }.joined(separator: ", ")
            throw CommandFailure(
                matches.isEmpty
                    ? "No job '\(reference)'. Jobs: \(known.isEmpty ? "none yet (run `lifeboat quickstart`)" : known)."
                    : "Several jobs are named '\(reference)'; name one by id: \(known).")
        }
        return job
    }

    /// Closes the HTTP client and the catalog.
    /// Notifications still queued get up to 30 seconds to be delivered first.
    func shutdown() async {
        if let notifier, let notifierTask {
            notifier.finish()
            let deadline = Task {
                try? await Task.sleep(for: .seconds(30))
                notifierTask.cancel()
            }
            await notifierTask.value
            deadline.cancel()
        }
        try? await httpClient.shutdown()
        try? await catalog.shutdown()
    }
}

/// Small secret files (`catalog.key`, `repository.password`) kept in the data folder, readable by the owner only.
struct SecretFiles {
    let directory: URL

    /// The trimmed content of a secret file, or nil when it does not exist.
    func read(_ name: String) throws -> String? {
        let url = directory.appendingPathComponent(name)
        guard FileManager.default.fileExists(atPath: url.path) else { return nil }
        do {
            return try String(contentsOf: url, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        } catch {
            throw CommandFailure("Cannot read \(url.path): \(error.localizedDescription)")
        }
    }

    /// The content of a secret file, creating it with `make()` and mode 0600 when missing and `create` is set.
    func readOrCreate(_ name: String, create: Bool, make: () -> String) throws -> String {
        if let existing = try read(name) { return existing }
        let url = directory.appendingPathComponent(name)
        let value = make()
        guard FileManager.default.createFile(
            atPath: url.path, contents: Data((value + "\n").utf8), attributes: [.posixPermissions: 0o600])
        else {
            throw CommandFailure("Cannot write \(url.path).")
        }
        return value
    }
}

extension String {
    /// Base64-decodes a secret read from a file, with an error naming the file.
    fileprivate func base64Decoded(name: String) throws -> Data {
        guard let data = Data(base64Encoded: self), data.count == 32 else {
            throw CommandFailure("\(name) in the data folder is damaged: expected base64 of 32 bytes.")
        }
        return data
    }
}
