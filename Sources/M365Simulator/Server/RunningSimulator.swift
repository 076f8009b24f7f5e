import Foundation
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle

/// A simulator serving one generated tenant over HTTP on loopback until `shutdown()`.
///
/// Start many in one process if needed: each binds its own port (port 0 picks a free one).
public final class RunningSimulator: Sendable {
    /// Port the server is bound to.
    public let port: Int
    /// Host the server is bound to.
    public let host: String
    /// The tenant state; mutate it directly to simulate user activity.
    public let tenant: SimulatedTenant
    /// Every request answered, for assertions.
    public let requestLog: RequestLog
    private let services: ServiceGroup
    private let task: Task<Void, any Error>

    private init(
        port: Int, host: String, tenant: SimulatedTenant, requestLog: RequestLog, services: ServiceGroup, task: Task<Void, any Error>
    ) {
        self.port = port
        self.host = host
        self.tenant = tenant
        self.requestLog = requestLog
        self.services = services
        self.task = task
    }

    /// Generates the tenant and starts serving it; returns once the port is bound.
    ///
    /// Throws `M365SimulatorError.startFailed` when the server cannot bind.
    public static func start(_ configuration: SimulatorConfiguration, logger: Logger) async throws -> RunningSimulator {
        let tenant = SimulatedTenant(spec: configuration.tenant)
        await tenant.duplicateInEnumerations(share: configuration.faults.duplicateDeltaItemShare, seed: configuration.faults.seed)
        let log = RequestLog()
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        let responder = GraphResponder(
            tenant: tenant, log: log, faults: FaultInjector(plan: configuration.faults), configuration: configuration,
            logger: logger)
        let app = Application(
            responder: responder,
            configuration: ApplicationConfiguration(address: .hostname(configuration.host, port: configuration.port)),
            onServerRunning: { channel in
                continuation.yield(channel.localAddress?.port ?? configuration.port)
                continuation.finish()
            },
            logger: logger)
        let services = ServiceGroup(configuration: .init(services: [app], gracefulShutdownSignals: [], logger: logger))
        let task = Task {
            defer { continuation.finish() }
            try await services.run()
        }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next() else {
            let reason: String
            if case .failure(let error) = await task.result { reason = "\(error)" } else { reason = "the server stopped" }
            throw M365SimulatorError.startFailed(
                "The simulator could not listen on \(configuration.host):\(configuration.port): \(reason).")
        }
        logger.info(
            "M365 simulator listening",
            metadata: ["lifeboat.sim.url": "http://\(configuration.host):\(port)", "lifeboat.sim.tenant": "\(tenant.tenantID)"])
        return RunningSimulator(
            port: port, host: configuration.host, tenant: tenant, requestLog: log, services: services, task: task)
    }

    /// `http://host:port`.
    public var baseURL: String { "http://\(host):\(port)" }
    /// Base of the token endpoint: `loginBaseURL + "/" + tenantID + "/oauth2/v2.0/token"`.
    public var loginBaseURL: String { baseURL }
    /// Graph base, `baseURL + "/v1.0"`.
    public var graphBaseURL: String { baseURL + "/v1.0" }
    /// Tenant id for the token endpoint.
    public var tenantID: String { tenant.tenantID }
    /// Client id of the tenant's app registration.
    public var clientID: String { tenant.clientID }
    /// Client secret of the tenant's app registration.
    public var clientSecret: String { tenant.clientSecret }
    /// Full token endpoint URL.
    public var tokenURL: String { "\(loginBaseURL)/\(tenantID)/oauth2/v2.0/token" }

    /// Stops the server gracefully (requests in flight finish) and waits until it no longer listens.
    public func shutdown() async throws {
        await services.triggerGracefulShutdown()
        _ = await task.result
    }
}
