import Foundation
import LifeboatTestSupport
import NIOCore
import Testing

@testable import ChunkStore

extension Tag {
    /// Tests that kill processes at random points and check what they leave behind.
    @Tag static var crashSafety: Self
}

/// Kills a repository writer (`RepositoryCrashWriter`) with SIGKILL at seeded random points, again and again on the same
/// repository, and after every kill proves the promise of the design: the repository opens, `check --read-data` finds
/// nothing wrong but unreferenced packs, and every stream recorded durable reads back byte for byte.
@Suite("Kill-a-writer crash safety", .serialized, .tags(.crashSafety))
struct CrashSafetyTests {
    static let password = "crash-writer-password"
    static let seed: UInt64 = 2026
    static let maximumStreamBytes = 96 << 10

    /// Stream `id` as `RepositoryCrashWriter`'s `CrashStream` generates it (same recipe, re-implemented on
    /// `SeededGenerator` so a bug in the writer's generator cannot hide a bug in the repository).
    static func expectedStream(id: Int) -> ByteBuffer {
        var generator = SeededGenerator(seed: seed &* 1_000_003 &+ UInt64(id))
        guard id % 3 == 2 else {
            return generator.bytes(Int(generator.next() % UInt64(maximumStreamBytes + 1)))
        }
        var edited = expectedStream(id: id - 1)
        let length = min(64, edited.readableBytes)
        edited.setBuffer(generator.bytes(length), at: edited.readableBytes / 2 - length / 2)
        return edited
    }

    /// Where a kill landed, judged from what the writer printed and logged.
    enum KillPoint: String, CaseIterable {
        case beforeOpen = "before the repository was opened or created"
        case duringCreate = "while creating the repository (key file written, no config)"
        case beforeFirstPack = "after opening, before its first pack"
        case afterPacks = "after writing packs"
    }

    @Test("25 SIGKILLs at random points (create, mid-pack, mid-upload, mid-index) never lose a durable stream or damage the repository")
    func killedWriterLeavesAHealthyRepository() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("lifeboat-crash-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let repositoryFolder = folder.appendingPathComponent("repository").path
        let durableFolder = folder.appendingPathComponent("durable").path
        let arguments = [
            repositoryFolder, durableFolder, "--seed", "\(Self.seed)", "--max-stream-bytes", "\(Self.maximumStreamBytes)",
            "--pack-bytes", "\(128 << 10)", "--chunking", "\(8 << 10)/\(32 << 10)/\(128 << 10)",
        ]
        var generator = SeededGenerator(seed: 77)
        var killPoints: [KillPoint: Int] = [:]
        var printedDurable = Set<Int>()
        var verified = Set<Int>()
        var unreferencedSeen = 0
        var verifying = Duration.zero
        let clock = ContinuousClock()
        let kills = 25
        for round in 0..<kills {
            let writer = try ChildProcess.launch(ChildProcess.builtExecutable(named: "RepositoryCrashWriter"), arguments, logsIn: folder)
            if round == 0 {
                // The first kill lands in process start-up.
                try await Task.sleep(for: .milliseconds(Int.random(in: 0...30, using: &generator)))
            } else if round < 4 {
                // The next ones aim at the creation of the repository (key file, then config), while there is none.
                try await writer.waitForLines { $0 == "creating" || $0.hasPrefix("opened") }
                try await Task.sleep(for: .milliseconds(Int.random(in: 0...8, using: &generator)))
            } else if round == kills - 1 {
                // The last writer runs until it has made two flushes durable, so the final check covers real data.
                try await writer.waitForLines(count: 2) { $0.hasPrefix("durable") }
            } else {
                try await writer.waitForLines { $0.hasPrefix("opened") }
                try await Task.sleep(for: .milliseconds(Int.random(in: 0...300, using: &generator)))
            }
            try await writer.killAndWait()
            for line in writer.output.split(separator: "\n") where line.hasPrefix("durable ") {
                printedDurable.formUnion(line.split(separator: " ").dropFirst().compactMap { Int($0) })
            }
            let started = clock.now
            // Every fifth round and the last read back every durable stream; the others read back the streams that
            // became durable since the previous round and a seeded sample of older ones (`check --read-data`
            // verifies every chunk in every round regardless).
            let readAll = round % 5 == 4 || round == kills - 1
            let outcome = try await Self.verify(
                repositoryFolder: repositoryFolder, durableFolder: durableFolder, printedDurable: printedDurable,
                round: round
            ) { id in
                readAll || !verified.contains(id) || Int.random(in: 0..<20, using: &generator) == 0
            }
            verified.formUnion(outcome.readBack)
            verifying += clock.now - started
            unreferencedSeen = max(unreferencedSeen, outcome.unreferencedPacks)
            let point: KillPoint =
                if !writer.output.contains("opened") {
                    outcome.interruptedCreate ? .duringCreate : .beforeOpen
                } else {
                    writer.errorOutput.contains("wrote pack") ? .afterPacks : .beforeFirstPack
                }
            killPoints[point, default: 0] += 1
        }
        #expect(printedDurable.count >= 2)
        let summary = KillPoint.allCases.map { "\(killPoints[$0] ?? 0) \($0.rawValue)" }.joined(separator: "; ")
        print(
            "crash safety: \(kills) kills: \(summary); \(printedDurable.count) streams durable; "
                + "up to \(unreferencedSeen) unreferenced packs; \(verifying) spent reopening, checking and reading back")
    }

    @Test("a creation killed between the key file and config leaves a store that the next writer turns into a healthy repository")
    func interruptedCreation() async throws {
        let store = try TemporaryStore.make()
        _ = try await Repository.initialize(store: store, password: Self.password, parameters: .insecureFastForTesting)
        // Exactly what a kill between the two puts of `initialize` leaves: a key file and no config.
        try await store.delete(key: RepositoryConfig.objectKey)
        await #expect(throws: ChunkStoreError.repositoryNotFound) {
            try await Repository.open(store: store, password: Self.password)
        }
        let repository = try await Repository.initialize(store: store, password: Self.password, parameters: .insecureFastForTesting)
        let stored = try await repository.store(BufferSequence([RepositoryTests.text(100_000)]))
        try await repository.flush()
        let reopened = try await Repository.open(store: store, password: Self.password)
        #expect(try await collect(reopened.read(stored.manifest)) == RepositoryTests.text(100_000))
        let report = try await reopened.check(readData: true)
        #expect(report.problems.isEmpty)
        #expect(report.keyFiles == 2)
    }

    @Test("temporary files a killed put leaves next to objects are never listed, opened or checked as objects")
    func leftoverTemporaryFiles() async throws {
        let store = try TemporaryStore.make()
        let repository = try await Repository.initialize(store: store, password: Self.password, parameters: .insecureFastForTesting)
        let stored = try await repository.store(BufferSequence([RepositoryTests.text(300_000)]))
        try await repository.flush()
        let pack = try #require(try await store.list(prefix: "packs/").first)
        let packFolder = store.root + "/" + pack.key.split(separator: "/").dropLast().joined(separator: "/")
        for folder in [packFolder, store.root + "/index", store.root + "/keys", store.root] {
            #expect(FileManager.default.createFile(atPath: folder + "/.tmp-\(UUID().uuidString)", contents: Data("partial".utf8)))
        }
        #expect(try await store.list(prefix: "").allSatisfy { !$0.key.contains(".tmp-") })
        let reopened = try await Repository.open(store: store, password: Self.password)
        #expect(try await collect(reopened.read(stored.manifest)) == RepositoryTests.text(300_000))
        let report = try await reopened.check(readData: true)
        #expect(report.problems.isEmpty)
        #expect(report.unreferencedPacks.isEmpty)
    }

    /// What one verification found.
    struct Outcome {
        var interruptedCreate = false
        var unreferencedPacks = 0
        /// The streams read back and compared.
        var readBack = Set<Int>()
    }

    /// Reopens the repository after a kill and checks it; records failures as issues naming the round.
    static func verify(
        repositoryFolder: String, durableFolder: String, printedDurable: Set<Int>, round: Int,
        readBack shouldReadBack: (Int) -> Bool
    ) async throws -> Outcome {
        let store = try LocalDirectoryStore(path: repositoryFolder)
        let durable = try LocalDirectoryStore(path: durableFolder)
        var recorded: [Int: ContentManifest] = [:]
        for object in try await durable.list(prefix: "streams/") {
            let id = try #require(Int(object.key.dropFirst("streams/".count)))
            recorded[id] = try ContentManifest(serialized: Array(try await durable.get(key: object.key, range: nil).readableBytesView))
        }
        #expect(printedDurable.isSubset(of: recorded.keys), "round \(round): a stream printed durable has no record")
        guard try await store.head(key: RepositoryConfig.objectKey) != nil else {
            #expect(recorded.isEmpty, "round \(round): streams recorded durable in a repository without config")
            return Outcome(interruptedCreate: try await !store.list(prefix: Repository.keysPrefix).isEmpty)
        }
        let repository = try await Repository.open(store: store, password: password)
        let report = try await repository.check(readData: true)
        #expect(report.problems.isEmpty, "round \(round): \(report.problems.map(\.description))")
        #expect(report.damagedChunks.isEmpty, "round \(round)")
        #expect(report.chunksRead >= report.chunks, "round \(round): check read \(report.chunksRead) of \(report.chunks) chunks")
        var outcome = Outcome(unreferencedPacks: report.unreferencedPacks.count)
        for (id, manifest) in recorded.sorted(by: { $0.key < $1.key }) where shouldReadBack(id) {
            outcome.readBack.insert(id)
            let content = try await collect(repository.read(manifest))
            #expect(content == expectedStream(id: id), "round \(round): stream \(id) reads back different bytes")
        }
        return outcome
    }
}

extension ChildProcess {
    /// Polls until standard output has `count` lines satisfying `isWanted`; throws if the writer exits first.
    fileprivate func waitForLines(count: Int = 1, where isWanted: @escaping (Substring) -> Bool) async throws {
        _ = try await waitForOutput(timeout: .seconds(60), pollingEvery: .milliseconds(5)) {
            $0.split(separator: "\n").count(where: isWanted) >= count
        }
    }

    /// Sends SIGKILL and waits until the writer is gone; throws if it had already exited on its own.
    fileprivate func killAndWait() async throws {
        let ended = try await signalAndWait(SIGKILL)
        guard ended.killedBySignal, ended.status == SIGKILL else {
            throw ChildProcessError.exited(commandLine, status: ended.status, output: output, errorOutput: errorOutput)
        }
    }
}
