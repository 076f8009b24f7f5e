import Foundation
import NIOCore
import Testing

@testable import ChunkStore

@Suite("Prune")
struct PruneTests {
    static let small = 64 << 10

    @Test("packs holding only unreferenced content are deleted, the index is rewritten, referenced content reads back byte for byte")
    func removesUnreferencedPacks() async throws {
        // A flush after every content: no pack mixes two contents.
        let scenario = try await PruneScenario.make(
            seed: 1, sizes: [150 << 10, 90 << 10, 200 << 10, 60 << 10, 120 << 10], flushAfter: [0, 1, 2, 3, 4])
        let before = try await scenario.packBytes()
        let dropped = scenario.chunks(of: [1, 3]).subtracting(scenario.chunks(of: [0, 2, 4]))
        #expect(!dropped.isEmpty)

        let report = try await scenario.prune(
            keeping: [0, 2, 4], options: PruneOptions(smallPackSize: 0, packTargetSize: PruneScenario.packTargetSize))

        #expect(report.packsDeleted > 0)
        #expect(report.packsRepacked == 0 && report.chunksCopied == 0)
        #expect(report.chunksRemoved == dropped.count)
        #expect(report.bytesFreed > 0)
        #expect(try await scenario.packBytes() == before - report.bytesFreed)
        #expect(report.indexFilesReplaced == 5 && report.indexFilesWritten == 1)
        #expect(try await scenario.store.list(prefix: IndexFile.prefix).count == 1)
        #expect(try await scenario.store.list(prefix: RepositoryLocks.prefix).isEmpty, "the exclusive lock is released")

        let reopened = try await scenario.expectReadable([0, 2, 4])
        for chunk in dropped { #expect(await !reopened.contains(chunk)) }
        let check = try await scenario.check()
        #expect(check.isHealthy, "\(check.problems)")
        #expect(check.unreferencedPacks.isEmpty)
    }

    @Test("packs whose unused share exceeds the threshold are repacked; afterwards no pack is more unused than that", arguments: [0.0, 20, 50])
    func repacksUnderusedPacks(maxUnusedPercent: Double) async throws {
        // One flush: contents share packs at their boundaries, so dropping some leaves packs partly used.
        let scenario = try await PruneScenario.make(
            seed: 2, sizes: [70 << 10, 50 << 10, 90 << 10, 40 << 10, 80 << 10, 30 << 10], flushAfter: [])
        let referenced = scenario.chunks(of: [0, 2, 4])
        let usageBefore = try await scenario.packUsage(referenced: referenced)
        let overThreshold = usageBefore.values.filter { $0.live > 0 && Double($0.size - $0.live) * 100 > maxUnusedPercent * Double($0.size) }
        #expect(!overThreshold.isEmpty, "the scenario has partly used packs above the threshold")

        let report = try await scenario.prune(
            keeping: [0, 2, 4],
            options: PruneOptions(maxUnusedPercent: maxUnusedPercent, smallPackSize: 0, packTargetSize: PruneScenario.packTargetSize))

        #expect(report.packsRepacked >= overThreshold.count)
        #expect(report.chunksCopied > 0 && report.packsWritten >= 1)
        try await scenario.expectReadable([0, 2, 4])
        let check = try await scenario.check()
        #expect(check.isHealthy, "\(check.problems)")
        #expect(check.unreferencedPacks.isEmpty)
        for (pack, usage) in try await scenario.packUsage(referenced: referenced) {
            if usageBefore[pack] == nil {
                // A new pack holds referenced chunks only: everything but its table is used.
                let table = Int64(5 + PackTable.entrySize * usage.chunks + 28 + PackTable.trailerSize)
                #expect(usage.size - usage.live == table, "new pack \(pack)")
            } else {
                #expect(maxUnusedPercent > 0, "a threshold of 0% repacks every pack")
                #expect(Double(usage.size - usage.live) * 100 <= maxUnusedPercent * Double(usage.size),
                    "kept pack \(pack): \(usage.live) of \(usage.size) bytes used")
            }
        }
    }

    @Test("with a threshold of 100% nothing is repacked: partly used packs stay whole, only fully unused ones go")
    func thresholdOfHundredKeepsPartlyUsedPacks() async throws {
        let scenario = try await PruneScenario.make(
            seed: 2, sizes: [70 << 10, 50 << 10, 90 << 10, 40 << 10, 80 << 10, 30 << 10], flushAfter: [])
        let report = try await scenario.prune(
            keeping: [0, 2, 4], options: PruneOptions(maxUnusedPercent: 100, smallPackSize: 0, packTargetSize: PruneScenario.packTargetSize))
        #expect(report.packsRepacked == 0 && report.chunksCopied == 0 && report.packsWritten == 0)
        #expect(report.packsKept > 0)
        try await scenario.expectReadable([0, 2, 4])
        #expect(try await scenario.check().isHealthy)
    }

    @Test("small packs left by many small flushes are merged into full packs")
    func mergesSmallPacks() async throws {
        let scenario = try await PruneScenario.make(
            seed: 3, sizes: [10 << 10, 12 << 10, 9 << 10, 14 << 10, 11 << 10], flushAfter: [0, 1, 2, 3, 4])
        let packsBefore = try await scenario.store.list(prefix: "packs/").count
        let report = try await scenario.prune(
            keeping: [0, 1, 2, 3, 4], options: PruneOptions(smallPackSize: 32 << 10, packTargetSize: PruneScenario.packTargetSize))
        #expect(report.packsRepacked == packsBefore)
        #expect(report.packsWritten == 1)
        #expect(report.chunksRemoved == 0)
        #expect(try await scenario.store.list(prefix: "packs/").count == 1)
        try await scenario.expectReadable([0, 1, 2, 3, 4])
        #expect(try await scenario.check().isHealthy)
    }

    @Test("a dry run changes nothing and reports what the real run then does")
    func dryRunChangesNothing() async throws {
        let scenario = try await PruneScenario.make(
            seed: 4, sizes: [70 << 10, 50 << 10, 90 << 10, 40 << 10], flushAfter: [1])
        let options = PruneOptions(maxUnusedPercent: 20, smallPackSize: 0, packTargetSize: 1 << 20)
        let before = try await scenario.listing()
        var dry = options
        dry.dryRun = true
        let planned = try await scenario.prune(keeping: [0, 2], options: dry)
        #expect(try await scenario.listing() == before)
        #expect(planned.dryRun)
        #expect(planned.packsDeleted + planned.packsRepacked > 0)

        let done = try await scenario.prune(keeping: [0, 2], options: options)
        #expect(!done.dryRun)
        #expect(done.packsDeleted == planned.packsDeleted)
        #expect(done.packsRepacked == planned.packsRepacked)
        #expect(done.packsKept == planned.packsKept)
        #expect(done.chunksCopied == planned.chunksCopied)
        #expect(done.chunksRemoved == planned.chunksRemoved)
        #expect(done.packsWritten == planned.packsWritten)
        // One new pack (target 1 MiB): the estimate of its size is exact.
        #expect(done.bytesFreed == planned.bytesFreed)
        try await scenario.expectReadable([0, 2])
    }

    @Test("a pack no index names (a crashed writer's) is deleted when unreferenced, and indexed when it holds referenced content; killed puts' temporary files go")
    func unindexedPacks() async throws {
        var scenario = try await PruneScenario.make(seed: 5, sizes: [80 << 10, 60 << 10], flushAfter: [])
        try await scenario.addUnindexedContent(seed: 50, size: 100 << 10)
        try await scenario.addUnindexedContent(seed: 51, size: 90 << 10)
        let unreferencedBefore = try await scenario.check().unreferencedPacks
        #expect(unreferencedBefore.count >= 2)
        await #expect(throws: ChunkStoreError.self, "content 3 is not indexed yet") { try await scenario.expectReadable([3]) }

        // The temporary file of a put killed an hour ago, and one of a put that may still be under way.
        let killed = scenario.store.root + "/packs/.tmp-killed-put"
        let recent = scenario.store.root + "/packs/.tmp-recent-put"
        _ = FileManager.default.createFile(atPath: killed, contents: Data(repeating: 1, count: 4096))
        try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSinceNow: -3600)], ofItemAtPath: killed)
        _ = FileManager.default.createFile(atPath: recent, contents: Data([1]))

        let report = try await scenario.prune(
            keeping: [0, 1, 3], options: PruneOptions(smallPackSize: 0, packTargetSize: PruneScenario.packTargetSize))
        #expect(report.unindexedPacksDeleted >= 1)
        #expect(report.leftoversRemoved.count == 1 && report.leftoversRemoved.bytes == 4096)
        #expect(!FileManager.default.fileExists(atPath: killed) && FileManager.default.fileExists(atPath: recent))
        try await scenario.expectReadable([0, 1, 3])
        let check = try await scenario.check()
        #expect(check.isHealthy && check.unreferencedPacks.isEmpty)
    }

    @Test("prune refuses, changing nothing, when a referenced chunk is in no pack")
    func refusesWhenReferencedChunkIsMissing() async throws {
        let scenario = try await PruneScenario.make(seed: 6, sizes: [80 << 10, 60 << 10], flushAfter: [])
        let before = try await scenario.listing()
        let unknown = ChunkID(bytes: [UInt8](repeating: 7, count: 32))
        let prune = try await RepositoryPrune.unlock(store: scenario.store, password: PruneScenario.password)
        await #expect {
            _ = try await prune.run(PruneOptions()) { scenario.chunks(of: [0]).union([unknown]) }
        } throws: { error in
            guard case ChunkStoreError.pruneRefused(let reason) = error else { return false }
            return reason.contains(unknown.hex)
        }
        #expect(try await scenario.listing() == before)
    }

    @Test("interrupted after any number of writes and deletes, the repository checks clean, reads back, and a second prune finishes")
    func crashAtEveryStep() async throws {
        var template = try await PruneScenario.make(
            seed: 7, sizes: [70 << 10, 50 << 10, 90 << 10, 40 << 10, 80 << 10, 30 << 10, 20 << 10], flushAfter: [2, 4])
        try await template.addUnindexedContent(seed: 70, size: 60 << 10)
        try await template.addUnindexedContent(seed: 71, size: 50 << 10)
        // Content 8 lives in a pack no index names: readable only once a prune has indexed it.
        let indexed = [0, 2, 3, 5]
        let kept = indexed + [8]
        let options = PruneOptions(maxUnusedPercent: 20, smallPackSize: 16 << 10, packTargetSize: PruneScenario.packTargetSize)

        let clean = try Self.copy(template)
        let counting = CrashingStore(base: clean.store, mutationsBeforeCrash: .max)
        let cleanReport = try await clean.prune(keeping: kept, options: options, store: counting)
        let total = counting.mutationsPerformed
        #expect(cleanReport.packsDeleted > 0 && cleanReport.packsRepacked > 0 && cleanReport.unindexedPacksDeleted > 0)
        #expect(total > 10)

        for crashAfter in 0..<total {
            let scenario = try Self.copy(template)
            let crashing = CrashingStore(base: scenario.store, mutationsBeforeCrash: crashAfter)
            _ = try? await scenario.prune(keeping: kept, options: options, store: crashing)
            // The crashed process is gone; its lock would go stale. Remove it as `repo unlock --remove-all` would.
            try await RepositoryLocks(store: scenario.store).removeAll()

            try await scenario.expectReadable(indexed)
            let afterCrash = try await scenario.check()
            #expect(afterCrash.isHealthy, "crash after \(crashAfter) of \(total) mutations: \(afterCrash.problems)")

            let report = try await scenario.prune(keeping: kept, options: options)
            try await scenario.expectReadable(kept)
            let finished = try await scenario.check()
            #expect(finished.isHealthy, "second prune after a crash at \(crashAfter): \(finished.problems)")
            #expect(finished.unreferencedPacks.isEmpty)
            #expect(report.bytesAfter <= cleanReport.bytesAfter + Int64(PruneScenario.packTargetSize), "crash at \(crashAfter)")
            try? FileManager.default.removeItem(atPath: scenario.store.root)
        }
    }

    /// A copy of the scenario in a new folder.
    static func copy(_ scenario: PruneScenario) throws -> PruneScenario {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("lifeboat-prune-\(UUID().uuidString)").path
        try FileManager.default.copyItem(atPath: scenario.store.root, toPath: path)
        return PruneScenario(store: try LocalDirectoryStore(path: path), contents: scenario.contents)
    }
}
