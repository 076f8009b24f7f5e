import ChunkStore
import Foundation
import Logging
import NIOCore
import SeededRandom

/// A repository writer meant to be killed: the subject of the kill-a-writer crash tests.
///
/// `RepositoryCrashWriter <repository-folder> <durable-folder> [--seed N] [--max-stream-bytes N] [--pack-bytes N]
/// [--chunking MIN/AVG/MAX] [--streams N]` opens the repository in `<repository-folder>` (creating it when it has no
/// `config`), then stores seeded streams (see `CrashStream`) one after another, flushing every one to three streams.
/// After each flush returns it records the manifest of every stream that flush made durable in `<durable-folder>`
/// (write-once objects `streams/<id>`, temp file + fsync + link, the way a catalog commits after a flush) and only then
/// prints `durable <id> <id>...`. It runs until killed, or until `--streams` streams are stored. Stream ids continue
/// after the highest id already recorded, so a restarted writer adds to what the killed one left.
/// Standard output: `creating` when there is no repository yet, `opened <repository-id> created|existing`, then
/// `durable ...` lines; stderr: the repository's debug log (`wrote pack`, `wrote index file`), which tells a test
/// where a kill landed.
@main
struct RepositoryCrashWriter {
    static let password = "crash-writer-password"

    static func main() async throws {
        let options = try CrashWriterOptions(arguments: Array(CommandLine.arguments.dropFirst()))
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = .debug
            return handler
        }
        let logger = Logger(label: "lifeboat.crash-writer")
        let store = try LocalDirectoryStore(path: options.repository)
        let durable = try LocalDirectoryStore(path: options.durable)
        let repository: Repository
        let created: Bool
        if try await store.head(key: "config") == nil {
            emit("creating")
            repository = try await Repository.initialize(
                store: store, password: password, parameters: .insecureFastForTesting, chunking: options.chunking,
                logger: logger)
            created = true
        } else {
            repository = try await Repository.open(store: store, password: password, logger: logger)
            created = false
        }
        await repository.setPackTargetSize(options.packBytes)
        emit("opened \(repository.repositoryID) \(created ? "created" : "existing")")

        let recorded = try await durable.list(prefix: CrashStream.keyPrefix).compactMap { CrashStream.id(ofKey: $0.key) }
        var nextID = (recorded.max() ?? -1) + 1
        let lastID = options.streams.map { nextID + $0 }
        var cadence = SplitMix64(seed: options.seed ^ UInt64(nextID) &* 0xD6E8_FEB8_6659_FD93)
        var pending: [(Int, ContentManifest)] = []
        var flushAfter = 1 + Int(cadence.next() % 3)
        while lastID.map({ nextID < $0 }) ?? true {
            let stream = CrashStream(seed: options.seed, id: nextID, maximumBytes: options.maxStreamBytes)
            let stored = try await repository.store(stream.pieces(maximumPiece: 64 << 10))
            pending.append((nextID, stored.manifest))
            nextID += 1
            if pending.count >= flushAfter || lastID == nextID {
                try await repository.flush()
                for (id, manifest) in pending {
                    try await durable.put(key: CrashStream.key(of: id), data: ByteBuffer(bytes: manifest.serialized()))
                }
                emit("durable " + pending.map { String($0.0) }.joined(separator: " "))
                pending.removeAll()
                flushAfter = 1 + Int(cadence.next() % 3)
            }
        }
    }

    /// Writes one line straight to standard output (unbuffered, so a kill loses no printed line).
    static func emit(_ line: String) {
        FileHandle.standardOutput.write(Data((line + "\n").utf8))
    }
}
