import ChunkStore
import Foundation
import Logging
import NIOCore

/// `RepositoryBench chunking <corpus> <work-folder> MIN/AVG/MAX...`: measures chunking parameters on document
/// histories (`bench/chunking/corpus.py` writes `<corpus>/v0`, `v1`, ...: every version of every document).
///
/// For each parameter set, ingests `v0`, `v1`, ... in order into a fresh repository under `<work-folder>` (every
/// file read whole, as a backup of a version history must) and prints one JSON line per parameter set: chunk
/// references and distinct chunks, bytes and new (not deduplicated) plaintext bytes of the first version and of the
/// later ones, stored bytes after compression and encryption, and seconds. The repository is deleted afterwards.
enum ChunkingBench {
    static func run(corpus: String, work: String, settings: [String], password: String, logger: Logger) async throws {
        let versions = try FileManager.default.contentsOfDirectory(atPath: corpus)
            .filter { $0.hasPrefix("v") }.sorted { Int($0.dropFirst()) ?? 0 < Int($1.dropFirst()) ?? 0 }
        let files = try versions.map { try RepositoryBench.regularFiles(below: URL(fileURLWithPath: corpus + "/" + $0)) }
        for setting in settings {
            let sizes = setting.split(separator: "/").compactMap { parseSize(String($0)) }
            guard sizes.count == 3 else { throw RepositoryBench.BenchError.cannotRead("chunk sizes '\(setting)'") }
            let parameters = ChunkingParameters(minimumSize: sizes[0], averageSize: sizes[1], maximumSize: sizes[2])
            try parameters.validate()
            let folder = work + "/" + setting.replacingOccurrences(of: "/", with: "-")
            let ingest = try await ingestVersions(files, parameters: parameters, folder: folder, password: password, logger: logger)
            print(
                #"{"parameters": "\#(setting)", "versions": \#(versions.count), "chunkReferences": \#(ingest.chunkReferences), "#
                    + #""chunks": \#(ingest.chunks), "firstBytes": \#(ingest.firstBytes), "#
                    + #""firstNewBytes": \#(ingest.firstNewBytes), "firstSeconds": \#(ingest.firstSeconds), "#
                    + #""laterBytes": \#(ingest.laterBytes), "laterNewBytes": \#(ingest.laterNewBytes), "#
                    + #""laterSeconds": \#(ingest.laterSeconds), "#
                    + #""storedBytes": \#(ingest.storedBytes), "packs": \#(ingest.packs)}"#)
        }
    }

    /// `256K`, `1M`, `4096`.
    static func parseSize(_ text: String) -> Int? {
        let units: [Character: Int] = ["K": 10, "M": 20]
        if let last = text.last, let shift = units[last], let value = Int(text.dropLast()) { return value << shift }
        return Int(text)
    }

    struct IngestResult {
        var firstBytes: Int64 = 0
        var firstNewBytes: Int64 = 0
        var firstSeconds = 0.0
        var laterBytes: Int64 = 0
        var laterNewBytes: Int64 = 0
        var laterSeconds = 0.0
        var storedBytes: Int64 = 0
        var packs = 0
        var chunks = 0
        var chunkReferences = 0
    }

    /// Stores every version in order into a fresh repository (four files at a time), flushing after each version.
    static func ingestVersions(
        _ versions: [[RepositoryBench.SourceFile]], parameters: ChunkingParameters, folder: String, password: String,
        logger: Logger
    ) async throws -> IngestResult {
        try? FileManager.default.removeItem(atPath: folder)
        let repository = try await Repository.initialize(
            store: try LocalDirectoryStore(path: folder), password: password, chunking: parameters, logger: logger)
        var result = IngestResult()
        for (index, files) in versions.enumerated() {
            let started = ContinuousClock.now
            var bytes: Int64 = 0
            var newBytes: Int64 = 0
            try await withThrowingTaskGroup(of: StoredContent.self) { group in
                var pending = files[...]
                for _ in 0..<4 {
                    if let file = pending.popFirst() { group.addTask { try await repository.store(FileChunks(url: file.url)) } }
                }
                while let stored = try await group.next() {
                    bytes += stored.manifest.size
                    result.chunkReferences += stored.manifest.chunks.count
                    newBytes += stored.newBytes
                    if let file = pending.popFirst() { group.addTask { try await repository.store(FileChunks(url: file.url)) } }
                }
            }
            try await repository.flush()
            let seconds = (ContinuousClock.now - started).seconds
            if index == 0 {
                (result.firstBytes, result.firstNewBytes, result.firstSeconds) = (bytes, newBytes, seconds)
            } else {
                result.laterBytes += bytes
                result.laterNewBytes += newBytes
                result.laterSeconds += seconds
            }
        }
        let statistics = await repository.statistics
        result.storedBytes = statistics.storedBytes
        result.packs = statistics.packs
        result.chunks = statistics.chunks
        try? FileManager.default.removeItem(atPath: folder)
        return result
    }
}
