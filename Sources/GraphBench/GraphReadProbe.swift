import AsyncHTTPClient
import BoundedConcurrency
import Logging
import M365Graph

/// Reads what a full backup reads from Graph, and nothing more: every drive's delta from scratch (drives side by side, as
/// the runner does), each page's histories in batches and its files' current content, whose bytes are dropped. Its time
/// is the floor that Graph and the HTTP stack put under the pipeline on this machine.
struct GraphReadProbe {
    var endpoints: SimulatorEndpoints
    var concurrency: Int

    /// Reads the whole tenant once; returns the seconds it took.
    func run(logger: Logger) async throws -> Double {
        let httpClient = GraphClient.makeHTTPClient()
        let client = GraphClient(
            httpClient: httpClient, endpoints: GraphEndpoints(loginBaseURL: endpoints.loginBaseURL, graphBaseURL: endpoints.graphBaseURL),
            credentials: GraphCredentials(tenantID: endpoints.tenantID, clientID: endpoints.clientID, clientSecret: endpoints.clientSecret),
            pacing: GraphPacing(maxConcurrency: concurrency), logger: logger)
        let started = ContinuousClock.now
        do {
            try await withThrowingTaskGroup(of: Void.self) { drives in
                for driveID in endpoints.driveIDs {
                    drives.addTask { try await readDrive(driveID, client: client) }
                }
                try await drives.waitForAll()
            }
        } catch {
            try? await httpClient.shutdown()
            throw error
        }
        let seconds = GraphBench.seconds(ContinuousClock.now - started)
        try await httpClient.shutdown()
        return seconds
    }

    private func readDrive(_ driveID: String, client: GraphClient) async throws {
        var link: String?
        repeat {
            let page = try await client.delta(driveID: driveID, link: link)
            let files = page.items.filter { !$0.isFolder && !$0.isDeleted }
            _ = await client.versions(driveID: driveID, itemIDs: files.map(\.id))
            try await runConcurrently(files, atMost: concurrency) { file in
                try await client.withTransferSlot {
                    for try await _ in try await client.currentContent(driveID: driveID, listed: file) {}
                }
            } onResult: { _ in }
            link = page.nextLink
        } while link != nil
    }
}
