import BoundedConcurrency
import ChunkStore
import Foundation
import Logging
import NIOCore
import NIOFoundationCompat

/// The repository engine driven from the command line for `bench/repository`: ingest a directory tree as a snapshot,
/// restore a snapshot, with nothing of Microsoft 365 in between, so its numbers compare with restic's and borg's.
///
/// `RepositoryBench ingest <repository> <source> <snapshot-file> [<parent-snapshot-file>]`, `RepositoryBench restore
/// <repository> <snapshot-file> <target>`, `RepositoryBench chunking <corpus> <work-folder> MIN/AVG/MAX...` (see
/// `ChunkingBench`). With a parent snapshot, a file whose size and modification time are
/// unchanged reuses its manifest without being read, as restic and borg do with their file caches and as a
/// Microsoft 365 backup does with cTags. The password comes from `LIFEBOAT_BENCH_PASSWORD`. A snapshot file lists each file's
/// path and serialized manifest (what the catalog holds for a real backup). Prints one JSON line of counters.
@main
struct RepositoryBench {
    static func main() async throws {
        let arguments = CommandLine.arguments.dropFirst()
        guard let command = arguments.first else { usage() }
        let rest = Array(arguments.dropFirst())
        let password = ProcessInfo.processInfo.environment["LIFEBOAT_BENCH_PASSWORD"] ?? "lifeboat-bench"
        var logger = Logger(label: "lifeboat.bench")
        logger.logLevel = .warning
        switch (command, rest.count) {
        case ("ingest", 3), ("ingest", 4):
            try await ingest(
                repository: rest[0], source: rest[1], snapshot: rest[2], parent: rest.count == 4 ? rest[3] : nil,
                password: password, logger: logger)
        case ("chunking", let count) where count >= 3:
            try await ChunkingBench.run(
                corpus: rest[0], work: rest[1], settings: Array(rest[2...]), password: password, logger: logger)
        case ("index", 3) where rest[0] == "open":
            // bench/index/run.sh: open a chunk index of synthetic chunks (folder "memory": no cache files) and measure it.
            print(try await ChunkIndexBenchmark.open(folder: rest[1] == "memory" ? nil : rest[1], chunks: Int(rest[2]) ?? 0))
        case ("index", 2) where rest[0] == "dictionary":
            print(ChunkIndexBenchmark.dictionary(chunks: Int(rest[1]) ?? 0))
        case ("check", 1):
            try await check(repository: rest[0], password: password)
        case ("restore", 3):
            try await restore(repository: rest[0], snapshot: rest[1], target: rest[2], password: password, logger: logger)
        default:
            usage()
        }
    }

    static func usage() -> Never {
        FileHandle.standardError.write(Data("usage: RepositoryBench ingest <repository> <source> <snapshot-file> [<parent>] | restore <repository> <snapshot-file> <target> | check <repository> | chunking <corpus> <work-folder> MIN/AVG/MAX...\n".utf8))
        exit(2)
    }

    /// One file of a snapshot.
    struct SnapshotEntry: Codable {
        var path: String
        var manifest: String
        var size: Int64
        var modified: Double
        /// Bytes this file added to the repository when it was ingested (not stored in snapshot files).
        var newBytes: Int64? = nil

        private enum CodingKeys: String, CodingKey { case path, manifest, size, modified }
    }

    static func ingest(
        repository path: String, source: String, snapshot: String, parent: String?, password: String, logger: Logger
    ) async throws {
        let started = ContinuousClock.now
        let store = try LocalDirectoryStore(path: path)
        let repository: Repository
        if try await store.head(key: "config") == nil {
            repository = try await Repository.initialize(store: store, password: password, logger: logger)
        } else {
            repository = try await Repository.open(store: store, password: password, logger: logger)
        }
        let files = try regularFiles(below: URL(fileURLWithPath: source))
        var previous: [String: SnapshotEntry] = [:]
        if let parent {
            for entry in try JSONDecoder().decode([SnapshotEntry].self, from: Data(contentsOf: URL(fileURLWithPath: parent))) {
                previous[entry.path] = entry
            }
        }
        var entries: [SnapshotEntry] = []
        var bytes: Int64 = 0
        var newBytes: Int64 = 0
        var unchanged = 0
        var changed: [SourceFile] = []
        for file in files {
            if let known = previous[file.relativePath], known.size == file.size, known.modified == file.modified {
                entries.append(known)
                bytes += known.size
                unchanged += 1
            } else {
                changed.append(file)
            }
        }
        try await runConcurrently(changed, atMost: 4) { file in
            let stored = try await repository.store(FileChunks(url: file.url))
            return SnapshotEntry(
                path: file.relativePath, manifest: Data(stored.manifest.serialized()).base64EncodedString(),
                size: stored.manifest.size, modified: file.modified, newBytes: stored.newBytes)
        } onResult: { entry in
            entries.append(entry)
            bytes += entry.size
            newBytes += entry.newBytes ?? 0
        }
        try await repository.flush()
        try JSONEncoder().encode(entries.sorted { $0.path < $1.path }).write(to: URL(fileURLWithPath: snapshot))
        let seconds = (ContinuousClock.now - started).seconds
        print(#"{"files": \#(files.count), "unchanged": \#(unchanged), "bytes": \#(bytes), "newBytes": \#(newBytes), "seconds": \#(seconds)}"#)
    }

    static func restore(repository path: String, snapshot: String, target: String, password: String, logger: Logger) async throws {
        let started = ContinuousClock.now
        let repository = try await Repository.open(store: try LocalDirectoryStore(path: path), password: password, logger: logger)
        let entries = try JSONDecoder().decode([SnapshotEntry].self, from: Data(contentsOf: URL(fileURLWithPath: snapshot)))
        var bytes: Int64 = 0
        let root = URL(fileURLWithPath: target)
        for entry in entries {
            guard let serialized = Data(base64Encoded: entry.manifest) else { throw BenchError.badSnapshot(entry.path) }
            let manifest = try ContentManifest(serialized: Array(serialized))
            let url = root.appendingPathComponent(entry.path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            guard FileManager.default.createFile(atPath: url.path, contents: nil) else { throw BenchError.cannotWrite(url.path) }
            let handle = try FileHandle(forWritingTo: url)
            defer { try? handle.close() }
            for try await buffer in repository.read(manifest) {
                try handle.write(contentsOf: Data(buffer.readableBytesView))
                bytes += Int64(buffer.readableBytes)
            }
        }
        let seconds = (ContinuousClock.now - started).seconds
        print(#"{"files": \#(entries.count), "bytes": \#(bytes), "seconds": \#(seconds)}"#)
    }

    /// Reads and verifies every chunk (`lifeboat repo check --read-data`); exits 1 when the repository is unhealthy.
    static func check(repository path: String, password: String) async throws {
        let started = ContinuousClock.now
        let report = try await RepositoryCheck.unlock(store: try LocalDirectoryStore(path: path), password: password)
            .run(readData: true)
        let seconds = (ContinuousClock.now - started).seconds
        print(#"{"chunks": \#(report.chunksRead), "bytes": \#(report.bytesRead), "problems": \#(report.problems.count), "seconds": \#(seconds)}"#)
        if !report.isHealthy { exit(1) }
    }

    struct SourceFile: Sendable {
        var url: URL
        var relativePath: String
        var size: Int64
        var modified: Double
    }

    static func regularFiles(below root: URL) throws -> [SourceFile] {
        let base = root.standardizedFileURL.path
        let keys: [URLResourceKey] = [.isRegularFileKey, .fileSizeKey, .contentModificationDateKey]
        guard let walker = FileManager.default.enumerator(at: root, includingPropertiesForKeys: keys) else {
            throw BenchError.cannotRead(root.path)
        }
        var files: [SourceFile] = []
        for case let url as URL in walker {
            let values = try url.resourceValues(forKeys: Set(keys))
            guard values.isRegularFile == true else { continue }
            let path = url.standardizedFileURL.path
            files.append(
                SourceFile(
                    url: url, relativePath: String(path.dropFirst(base.count + 1)), size: Int64(values.fileSize ?? 0),
                    modified: values.contentModificationDate?.timeIntervalSince1970 ?? 0))
        }
        return files.sorted { $0.relativePath < $1.relativePath }
    }

    enum BenchError: Error {
        case badSnapshot(String)
        case cannotRead(String)
        case cannotWrite(String)
    }
}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
