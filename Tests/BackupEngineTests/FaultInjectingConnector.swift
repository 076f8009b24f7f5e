import BackupEngine
import LifeboatModel
import M365Graph

/// A `GraphConnector` whose clients spoil the downloads of chosen items (see `FaultInjectingGraph`).
struct FaultInjectingConnector: GraphConnector {
    let base: any GraphConnector
    let faults: [String: FaultInjectingGraph.Fault]

    func graph(for organization: Organization) async throws -> any GraphAPI {
        FaultInjectingGraph(base: try await base.graph(for: organization), faults: faults)
    }
}
