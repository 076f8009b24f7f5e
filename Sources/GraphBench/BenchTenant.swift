import M365Simulator
import NIOCore
import SeededRandom

/// The benchmark's tenant, built the same way in every process from the command's options: the simulator serving it
/// (in this process or a child) and, when the simulator is a child, this process's mirror of it, whose bytes feed the
/// raw-ingest comparison. Every byte is drawn from seeded generators, so the two are equal.
struct BenchTenant {
    var shape: GraphBench.Shape
    var drives: Int
    var files: Int
    var fileSize: Int
    var changedShare: Double
    var budget: Int
    var window: Int
    var latencyMs: Int
    var seed: UInt64

    /// The simulator's configuration: the tenant's spec and the budget and latency faults.
    var configuration: SimulatorConfiguration {
        var configuration = SimulatorConfiguration(tenant: spec)
        var plan = FaultPlan(seed: seed)
        if budget > 0 {
            plan.resourceUnitBudget = FaultPlan.ResourceUnitBudget(units: budget * window / 60, window: .seconds(window))
        }
        if latencyMs > 0 {
            plan.slowFirstByteShare = 1
            plan.firstByteDelay = .milliseconds(latencyMs)
        }
        configuration.faults = plan
        return configuration
    }

    var spec: TenantSpec {
        switch shape {
        case .small:
            TenantSpec(
                seed: seed, userCount: drives, teamSiteCount: 0, communicationSiteCount: 0, subsitesPerSite: 0, foldersPerDrive: 10,
                filesPerDrive: files, maxFileSize: 1 << 20, largeFileCount: 0, maxVersions: 1)
        case .large:
            TenantSpec(
                seed: seed, userCount: 1, teamSiteCount: 0, communicationSiteCount: 0, subsitesPerSite: 0, foldersPerDrive: 0,
                filesPerDrive: 0, largeFileCount: 0, maxVersions: 1)
        }
    }

    /// A tenant of `spec` holding what the full backup will find (the large shape's files added).
    func populated() async throws -> SimulatedTenant {
        let tenant = SimulatedTenant(spec: spec)
        try await addLargeFiles(to: tenant)
        return tenant
    }

    /// Adds the large shape's `files` files of `fileSize` incompressible bytes to the first drive.
    func addLargeFiles(to tenant: SimulatedTenant) async throws {
        guard shape == .large, let drive = await tenant.drives().first else { return }
        var generator = SplitMix64(seed: seed ^ 0x4C41_5247_4546_494C)
        for index in 0..<files {
            let bytes = Array(generator.byteBuffer(fileSize).readableBytesView)
            _ = try await tenant.createFile(driveID: drive.id, parentID: drive.rootItemID, name: "large-\(index).bin", bytes: bytes)
        }
    }

    /// Every file of the tenant, drive by drive.
    static func files(of tenant: SimulatedTenant) async -> [FileReference] {
        var result: [FileReference] = []
        for drive in await tenant.drives() {
            for file in await tenant.allFiles(driveID: drive.id) { result.append(FileReference(driveID: drive.id, itemID: file.id)) }
        }
        return result
    }

    /// Gives `changedShare` of the files (every n-th, in `files(of:)` order) new content of the same size; returns them.
    func applyChanges(to tenant: SimulatedTenant) async throws -> [FileReference] {
        var generator = SplitMix64(seed: seed ^ 0x4348_414E_4745_5321)
        let step = max(1, Int((1 / max(changedShare, 0.0001)).rounded()))
        var changed: [FileReference] = []
        for (index, file) in await Self.files(of: tenant).enumerated() where index % step == 0 {
            let size = await tenant.content(driveID: file.driveID, itemID: file.itemID)?.count ?? 0
            let bytes = Array(generator.byteBuffer(max(1, size)).readableBytesView)
            _ = try await tenant.updateContent(driveID: file.driveID, itemID: file.itemID, bytes: bytes)
            changed.append(file)
        }
        return changed
    }
}

/// One file of the benchmark's tenant.
struct FileReference: Sendable, Hashable {
    var driveID: String
    var itemID: String
}
