import ArgumentParser
import BackupEngine
import Crypto
import Catalog
import Foundation
import Hummingbird
import LifeboatModel
import LifeboatServer
import Logging
import M365Simulator
import ServiceLifecycle
import UnixSignals

/// `lifeboat quickstart`: a simulated tenant, a first backup into `./lifeboat-data`, and the API, in one process.
struct QuickstartCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "quickstart",
        abstract: "Back up a simulated Microsoft 365 tenant and serve the API, then print what to try next.")

    @OptionGroup var settings: SettingsOptions
    @Option(help: "API port (env LIFEBOAT_HTTP_PORT; default 8080).") var port: Int?
    @Option(help: "Port of the simulated tenant. Keep it the same between runs on one data folder.") var simPort: Int = 8081
    @Option(help: "Seed of the simulated tenant.") var seed: UInt64 = 42
    @Flag(help: "Stop after the backup instead of serving the API.") var exitAfterBackup = false

    private static let organizationName = "contoso.onmicrosoft.com"
    private static let jobName = "Quickstart: whole tenant"
    private static let adminName = "admin"
    private static let appName = "quickstart-app"

    func run() async throws {
        var commandLine: [String: String] = [:]
        commandLine["lifeboat.http.port"] = port.map(String.init)
        let resolved = try await LifeboatSettings.load(settings, commandLine: commandLine)
        let logger = try resolved.makeLogger(defaultLevel: .warning)
        let apiPort = try resolved.httpPort(default: 8080)

        let simulator = try await SimulatorService.start(
            SimulatorConfiguration(tenant: .demo(seed: seed), port: simPort), logger: logger)
        let tenant = simulator.running
        StandardOutput.line("Simulated tenant '\(tenant.tenant.spec.domain)' is listening on \(tenant.baseURL).")
        let installation: LocalInstallation
        do {
            installation = try await LocalInstallation.open(resolved, logger: logger, createSecrets: true)
        } catch {
            try? await tenant.shutdown()
            throw error
        }
        do {
            try await serve(installation: installation, simulator: simulator, apiPort: apiPort, logger: logger)
            await installation.shutdown()
        } catch {
            await installation.shutdown()
            try? await tenant.shutdown()
            throw error
        }
    }

    private func serve(installation: LocalInstallation, simulator: SimulatorService, apiPort: Int, logger: Logger) async throws {
        let tenant = simulator.running
        try await InterruptedRunRecovery(catalog: installation.catalog, logger: logger).recover()
        let (organization, isNew) = try await registerOrganization(tenant, installation: installation)
        let job = try await backupJob(for: organization, installation: installation)
        StandardOutput.line("Catalog and repository: \(installation.settings.dataDirectory.path)")

        // A tenant regenerated from its seed may differ from what earlier runs saw: enumerate it fully (unchanged files are not downloaded).
        let run = try await BackupRunReporter.run(job, installation: installation, fullEnumeration: !isNew)
        if run.state == .failed { throw CommandFailure("The first backup failed; see the errors above.") }
        if exitAfterBackup {
            try await tenant.shutdown()
            return
        }

        let password = try await administratorPassword(installation)
        let dependencies = installation.serverDependencies()
        guard let admin = try await installation.catalog.credential(name: Self.adminName)?.principal else {
            throw CommandFailure("The quickstart administrator is missing from the catalog.")
        }
        let token = try await dependencies.issuer.issue(for: admin)
        let appSecret = try await applicationSecret(installation)
        let sample = try await sampleFile(in: tenant)
        let host = installation.settings.httpHost
        let backedUpBy = Self.recoveryDateTime(Date())
        let app = buildApplication(
            ServerConfiguration(host: host, port: apiPort), dependencies: dependencies,
            onServerRunning: { port in
                let api = "http://\(host):\(port)"
                let restore = sample.flatMap { sample in
                    appSecret.map { Self.restoreSteps(
                        api: api, job: job, tenant: tenant, sample: sample, appSecret: $0, recoveryDateTime: backedUpBy) }
                }
                StandardOutput.line(Self.nextSteps(
                    api: api, token: token.accessToken, password: password, job: job, tenant: tenant,
                    sample: sample, restore: restore, dataDirectory: installation.settings.dataDirectory.path))
            })
        let group = ServiceGroup(
            configuration: .init(services: [app, simulator], gracefulShutdownSignals: [.sigint, .sigterm], logger: logger))
        try await group.run()
    }

    private func registerOrganization(_ tenant: RunningSimulator, installation: LocalInstallation) async throws -> (Organization, Bool) {
        let catalog = installation.catalog
        if let existing = try await catalog.organizations().first(where: { $0.tenantID == tenant.tenantID }) {
            guard existing.graphBaseURL == tenant.graphBaseURL else {
                throw CommandFailure(
                    "This data folder was made with the simulated tenant at \(existing.graphBaseURL); run quickstart with the same --sim-port, or use another --data-dir.")
            }
            try await catalog.setGraphSecret(tenant.clientSecret, organizationID: existing.id)
            return (existing, false)
        }
        let organization = Organization(
            name: Self.organizationName, tenantID: tenant.tenantID, clientID: tenant.clientID, loginBaseURL: tenant.loginBaseURL,
            graphBaseURL: tenant.graphBaseURL)
        try await catalog.insertOrganization(organization)
        try await catalog.setGraphSecret(tenant.clientSecret, organizationID: organization.id)
        return (organization, true)
    }

    private func backupJob(for organization: Organization, installation: LocalInstallation) async throws -> BackupJob {
        if let existing = try await installation.catalog.jobs().first(where: { $0.organizationID == organization.id && $0.name == Self.jobName }) {
            return existing
        }
        // Created here on purpose, with the reminder of where its password is; backups never create one.
        let path = installation.defaultRepositoryPath
        let repository: BackupRepository
        if FileManager.default.fileExists(atPath: path + "/config") {
            repository = try await installation.repositoryRecord(at: path)
        } else {
            repository = try await installation.createRepository(at: path, name: nil)
        }
        let job = BackupJob(
            organizationID: organization.id, repositoryID: repository.id, name: Self.jobName, scope: .entireOrganization)
        try await installation.catalog.insertJob(job)
        return job
    }

    /// The quickstart administrator's password: created with the user on the first run and kept in the data folder.
    private func administratorPassword(_ installation: LocalInstallation) async throws -> String? {
        let files = SecretFiles(directory: installation.settings.dataDirectory)
        if try await installation.catalog.credential(name: Self.adminName) != nil {
            return try files.read("admin.password")
        }
        let password = try files.readOrCreate("admin.password", create: true) {
            SymmetricKey(size: .bits128).withUnsafeBytes { Data($0) }.base64EncodedString()
                .replacingOccurrences(of: "/", with: "x").replacingOccurrences(of: "+", with: "y").replacingOccurrences(of: "=", with: "")
        }
        try await installation.addAdministrator(name: Self.adminName, password: password)
        return password
    }

    /// The quickstart application's client secret (scopes to restore and read jobs through the AvePoint dialect):
    /// created with the application on the first run and kept in the data folder; nil when the file was removed.
    private func applicationSecret(_ installation: LocalInstallation) async throws -> String? {
        let files = SecretFiles(directory: installation.settings.dataDirectory)
        if try await installation.catalog.credential(name: Self.appName) != nil {
            return try files.read("app.secret")
        }
        let secret = try files.readOrCreate("app.secret", create: true) {
            SymmetricKey(size: .bits256).withUnsafeBytes { Data($0) }.base64EncodedString()
                .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
        }
        try await installation.catalog.insertPrincipal(
            StoredCredential(
                principal: Principal(name: Self.appName, kind: .application, scopes: [APIScope.restoreReadWrite, APIScope.jobInfoRead]),
                secretHash: try SecretHasher().hash(secret)))
        return secret
    }

    /// A small file at the root of the first user's OneDrive, for the edit, restore and export examples.
    private func sampleFile(in tenant: RunningSimulator) async throws -> SampleFile? {
        for user in await tenant.tenant.users() {
            guard let drive = await tenant.tenant.drives().first(where: { $0.id == user.driveID }) else { continue }
            let files = await tenant.tenant.allFiles(driveID: drive.id)
            if let file = files.first(where: { $0.size < 1 << 20 && $0.parentID == drive.rootItemID }) {
                return SampleFile(driveID: drive.id, ownerUPN: user.upn, item: file)
            }
        }
        return nil
    }

    /// A file the printed examples act on.
    private struct SampleFile {
        var driveID: String
        var ownerUPN: String
        var item: SimulatedItem
    }

    /// `yyyy-MM-ddTHH:mm:ssZ` (ISO 8601's default form, one of the two AvePoint's restore endpoint accepts), a second
    /// after `date` so the backup just taken is before it.
    private static func recoveryDateTime(_ date: Date) -> String {
        ISO8601DateFormatter().string(from: date.addingTimeInterval(1))
    }

    private static func restoreSteps(
        api: String, job: BackupJob, tenant: RunningSimulator, sample: SampleFile, appSecret: String, recoveryDateTime: String
    ) -> String {
        let jobID = job.id.uuidString.lowercased()
        let auth = "-H \"Authorization: Bearer $TOKEN\""
        let json = "-H 'Content-Type: application/json'"
        let oneDrive = #"{"id": "\#(sample.driveID)"}"#
        let appAuth = "-H \"Authorization: Bearer $APP_TOKEN\""
        let restoreBody = #"{"serviceType": 2, "recoveryDateTime": "\#(recoveryDateTime)", "oneDriveRestoreScope": {"oneDriveUpn": "\#(sample.ownerUPN)", "restoreTargets": [{"libraryName": "Documents", "files": [{"relativePath": "\#(sample.item.name)"}]}]}}"#
        return [
            "",
            "Restore (Veeam dialect): delete '\(sample.item.name)' in the tenant, open a restore session, put it back:",
            "  curl -s -X DELETE '\(tenant.baseURL)/_admin/drives/\(sample.driveID)/items/\(sample.item.id)'",
            "  curl -s -X POST \(auth) \(json) '\(api)/v6/Jobs/\(jobID)/explore' -d '{\"type\": \"Veod\"}'",
            "  export SESSION='<the \"id\" it answered>'",
            "  curl -s \(auth) \"\(api)/v6/RestoreSessions/$SESSION/Organization/OneDrives\"",
            "  curl -s -X POST \(auth) \(json) \"\(api)/v3/RestoreSessions/$SESSION/Organization/OneDrives/Action\" "
                + #"-d '{"restoreToOriginalLocation": {"DocumentAction": "keep", "DocumentVersion": "last", "OneDrives": [\#(oneDrive)]}}'"#,
            "  curl -s \(auth) \"\(api)/v6/RestoreSessions/$SESSION/Events\"",
            "Download the same OneDrive as a zip:",
            "  curl -s -X POST \(auth) \(json) \"\(api)/v3/RestoreSessions/$SESSION/Organization/OneDrives/Action\" "
                + #"-d '{"save": {"OneDrives": [\#(oneDrive)]}}' -o onedrive.zip"#,
            "",
            "Restore (AvePoint dialect) with the app registration '\(appName)' (client credentials):",
            "  curl -s -X POST '\(api)/connect/token' -d 'grant_type=client_credentials&client_id=\(appName)&client_secret=\(appSecret)'",
            "  export APP_TOKEN='<the \"access_token\" it answered>'",
            "  curl -s -X POST \(appAuth) \(json) '\(api)/backup/m365/restore/jobs' -d '\(restoreBody)'",
            "  export RESTORE_JOB='<the \"data.jobId\" it answered>'",
            "  curl -s \(appAuth) \"\(api)/backup/m365/cloudbackupjobs/$RESTORE_JOB\"",
        ].joined(separator: "\n")
    }

    private static func nextSteps(
        api: String, token: String, password: String?, job: BackupJob, tenant: RunningSimulator,
        sample: SampleFile?, restore: String?, dataDirectory: String
    ) -> String {
        let jobID = job.id.uuidString.lowercased()
        let auth = "-H \"Authorization: Bearer $TOKEN\""
        var lines = [
            "",
            "Lifeboat is serving the API on \(api) (Ctrl-C stops it and the simulated tenant).",
            "",
            "An access token for user '\(adminName)' (valid one hour):",
            "  export TOKEN='\(token)'",
        ]
        if let password {
            lines += [
                "Get a fresh one with the password grant:",
                "  curl -s -X POST '\(api)/v6/Token' -d 'grant_type=password&username=\(adminName)&password=\(password)'",
            ]
        }
        lines += [
            "",
            "Try:",
            "  curl -s \(auth) '\(api)/v6/Organizations'",
            "  curl -s \(auth) '\(api)/v6/Jobs'",
            "  curl -s \(auth) '\(api)/v6/RestorePoints'",
            "  curl -s \(auth) '\(api)/v6/RestorePoints?jobId=\(jobID)'",
        ]
        if let sample {
            lines += [
                "",
                "Change a file in the simulated tenant, back up again, and see a second restore point:",
                "  curl -s -X PATCH '\(tenant.baseURL)/_admin/drives/\(sample.driveID)/items/\(sample.item.id)' "
                    + "-H 'Content-Type: application/json' -d '{\"text\": \"edited by the quickstart\"}'",
                "  curl -s -X POST \(auth) '\(api)/v6/Jobs/\(jobID)/start'",
                "  curl -s \(auth) '\(api)/v6/RestorePoints'",
            ]
        }
        if let restore { lines.append(restore) }
        lines += [
            "",
            "From another terminal:",
            "  \(Invocation.command) restore-points list --data-dir \(Invocation.shellQuoted(dataDirectory))",
            "  curl -s '\(tenant.baseURL)/_admin/tenant'    # the simulated tenant's users, sites and drives",
        ]
        return lines.joined(separator: "\n")
    }
}
