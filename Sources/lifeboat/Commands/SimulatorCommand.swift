import ArgumentParser
import Logging
import M365Simulator
import ServiceLifecycle
import UnixSignals

/// `lifeboat sim`: the Microsoft 365 simulator alone, for trying Lifeboat or other Graph clients against it.
struct SimulatorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sim", abstract: "Serve a simulated Microsoft 365 tenant (Graph API subset) on loopback.")

    @Option(help: "Port to listen on (0 picks a free one).") var port: Int = 8081
    @Option(help: "Address to bind.") var host: String = "127.0.0.1"
    @Option(help: "Seed of the generated tenant; the same seed gives the same tenant.") var seed: UInt64 = 42
    @Option(help: "Tenant size: small or demo.") var preset: TenantPreset = .demo

    func run() async throws {
        var logger = Logger(label: "lifeboat.sim") { StreamLogHandler.standardError(label: $0) }
        logger.logLevel = .notice
        let simulator = try await SimulatorService.start(
            SimulatorConfiguration(tenant: preset.spec(seed: seed), host: host, port: port), logger: logger)
        let tenant = simulator.running
        let register = [
            "LIFEBOAT_GRAPH_CLIENT_SECRET=\(Invocation.shellQuoted(tenant.clientSecret))", Invocation.command, "organization", "add",
            "--name", tenant.tenant.spec.domain + ".onmicrosoft.com", "--tenant-id", tenant.tenantID, "--client-id", tenant.clientID,
            "--login-url", tenant.loginBaseURL, "--graph-url", tenant.graphBaseURL,
        ].joined(separator: " ")
        StandardOutput.line(
            """
            Simulated tenant '\(tenant.tenant.spec.domain)' listening on \(tenant.baseURL)
              Login base URL:  \(tenant.loginBaseURL)   (--login-url; the token endpoint is \(tenant.tokenURL))
              Graph base URL:  \(tenant.graphBaseURL)   (--graph-url)
              Tenant id:       \(tenant.tenantID)
              Client id:       \(tenant.clientID)
              Client secret:   \(tenant.clientSecret)
              Users, sites and drives:  curl -s \(tenant.baseURL)/_admin/tenant
            Register it with Lifeboat (from another terminal, with your usual --data-dir):
              \(register)
            Press Ctrl-C to stop.
            """)
        let group = ServiceGroup(
            configuration: .init(services: [simulator], gracefulShutdownSignals: [.sigint, .sigterm], logger: logger))
        try await group.run()
    }
}

/// The tenant sizes the CLI offers.
enum TenantPreset: String, ExpressibleByArgument, CaseIterable {
    case small
    case demo

    /// The tenant spec of this preset.
    func spec(seed: UInt64) -> TenantSpec {
        switch self {
        case .small: .small(seed: seed)
        case .demo: .demo(seed: seed)
        }
    }
}

/// A running simulator as a lifecycle service: it serves until graceful shutdown, then stops listening.
struct SimulatorService: Service {
    let running: RunningSimulator

    /// Starts the simulator; fails with a clear message when the port is taken.
    static func start(_ configuration: SimulatorConfiguration, logger: Logger) async throws -> SimulatorService {
        do {
            return SimulatorService(running: try await RunningSimulator.start(configuration, logger: logger))
        } catch {
            throw CommandFailure("\(error) Pick another port with --sim-port / --port.")
        }
    }

    func run() async throws {
        try? await gracefulShutdown()
        try await running.shutdown()
    }
}
