import ArgumentParser
import BackupEngine
import Hummingbird
import LifeboatServer
import Logging

/// `lifeboat serve`: the REST API (Veeam and AvePoint dialects) with the backup worker.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "serve", abstract: "Serve the REST API and run backup jobs.")

    @OptionGroup var settings: SettingsOptions
    @Option(help: "Address to bind (env LIFEBOAT_HTTP_HOST; default 127.0.0.1).") var host: String?
    @Option(help: "Port to listen on (env LIFEBOAT_HTTP_PORT; default 8080).") var port: Int?

    func run() async throws {
        var commandLine: [String: String] = [:]
        commandLine["lifeboat.http.host"] = host
        commandLine["lifeboat.http.port"] = port.map(String.init)
        let resolved = try await LifeboatSettings.load(settings, commandLine: commandLine)
        let logger = try resolved.makeLogger(defaultLevel: .info)
        let installation = try await LocalInstallation.open(resolved, logger: logger, createSecrets: false)
        do {
            try await InterruptedRunRecovery(catalog: installation.catalog, logger: logger).recover()
            var server = ServerConfiguration(host: resolved.httpHost, port: try resolved.httpPort(default: 8080))
            server.headerReadTimeout = try resolved.seconds("lifeboat.http.timeout.header") ?? server.headerReadTimeout
            server.bodyReadTimeout = try resolved.seconds("lifeboat.http.timeout.body") ?? server.bodyReadTimeout
            server.idleTimeout = try resolved.seconds("lifeboat.http.timeout.idle") ?? server.idleTimeout
            server.maximumConnections = try resolved.positiveInteger("lifeboat.http.connections.max") ?? server.maximumConnections
            server.hashingThreads = try resolved.positiveInteger("lifeboat.http.hashing.threads") ?? server.hashingThreads
            let app = buildApplication(server, dependencies: installation.serverDependencies())
            try await app.runService()
            await installation.shutdown()
        } catch {
            await installation.shutdown()
            throw error
        }
    }
}
