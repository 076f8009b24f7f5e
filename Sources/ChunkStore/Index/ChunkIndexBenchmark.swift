import Foundation
import SeededRandom

/// Measurements of `ChunkIndex` on synthetic index files, for `bench/index/run.sh` (via `RepositoryBench index`).
///
/// The synthetic repository has `chunks` chunks in packs of 64, in index files of 10,000 chunks; every id is
/// derived from its position, so lookups of present ids need no list of them. Each function returns one
/// line of `name=value` counters; memory figures come from `/proc/self/status` (kB).
package enum ChunkIndexBenchmark {
    static let chunksPerPack = 64
    static let chunksPerFile = 10_000

    /// Builds (or, with a valid cache in `folder`, reuses) the index; reports time and memory.
    package static func open(folder: String?, chunks: Int) async throws -> String {
        let before = MemoryStatus.read()
        let clock = ContinuousClock()
        let started = clock.now
        var index = try await ChunkIndex.open(source: SyntheticIndexFiles(chunks: chunks), folder: folder)
        let openSeconds = seconds(clock.now - started)
        let afterOpen = MemoryStatus.read()
        let lookups = 1_000_000
        var generator = SplitMix64(seed: 99)
        // Absent ids first (the hot path of a first backup): only filter blocks should become resident.
        let absentStarted = clock.now
        var falsePresent = 0
        for _ in 0..<lookups {
            let id = ChunkID(digest: Digest32(words: generator.next(), generator.next(), generator.next(), generator.next()))
            if index.contains(id) { falsePresent += 1 }
        }
        let absentSeconds = seconds(clock.now - absentStarted)
        let afterAbsent = MemoryStatus.read()
        let filterPasses = SyntheticIndexFiles.filterPasses(index: index, samples: lookups, generator: &generator)
        let presentStarted = clock.now
        var found = 0
        for _ in 0..<lookups {
            let position = Int(generator.next() % UInt64(chunks))
            if index.contains(SyntheticIndexFiles.chunkID(position)) { found += 1 }
        }
        let presentSeconds = seconds(clock.now - presentStarted)
        let presentAgainStarted = clock.now
        for _ in 0..<lookups {
            let position = Int(generator.next() % UInt64(chunks))
            if index.contains(SyntheticIndexFiles.chunkID(position)) { found += 1 }
        }
        let presentAgainSeconds = seconds(clock.now - presentAgainStarted)
        let after = MemoryStatus.read()
        let perChunk = { (kilobytes: Int) in String(format: "%.2f", Double(kilobytes) * 1024 / Double(chunks)) }
        let rate = { (elapsed: Double) in String(format: "%.2f", Double(lookups) / elapsed / 1e6) }
        return [
            "chunks=\(chunks)", "segments=\(index.segmentCount)", "open_s=\(String(format: "%.3f", openSeconds))",
            "present_found=\(found)/\(2 * lookups)", "absent_claimed=\(falsePresent)",
            "absent_M_per_s=\(rate(absentSeconds))", "present_first_M_per_s=\(rate(presentSeconds))",
            "present_second_M_per_s=\(rate(presentAgainSeconds))",
            "filter_fp_pct=\(String(format: "%.3f", Double(filterPasses) * 100 / Double(lookups)))",
            "anon_B_per_chunk=\(perChunk(after.anonymous - before.anonymous))",
            "anon_B_per_chunk_at_open=\(perChunk(afterOpen.anonymous - before.anonymous))",
            "mapped_B_per_chunk_after_absent=\(perChunk(afterAbsent.file - before.file))",
            "mapped_B_per_chunk_after_present=\(perChunk(after.file - before.file))",
            "peak_rss_MiB=\(after.peak / 1024)",
        ].joined(separator: " ")
    }

    /// The memory a plain `[ChunkID: 16-byte location]` dictionary (the index before `ChunkIndex`) needs.
    package static func dictionary(chunks: Int) -> String {
        struct Location { var pack, offset, length, rawLength: UInt32 }
        let before = MemoryStatus.read()
        var dictionary: [ChunkID: Location] = [:]
        for position in 0..<chunks {
            dictionary[SyntheticIndexFiles.chunkID(position)] = Location(
                pack: UInt32(position / chunksPerPack), offset: 0, length: 1, rawLength: 1)
        }
        let after = MemoryStatus.read()
        return "chunks=\(dictionary.count) dictionary_anon_B_per_chunk=\(String(format: "%.2f", Double(after.anonymous - before.anonymous) * 1024 / Double(chunks)))"
    }

    private static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }
}

/// A repository's worth of index files made up on the fly from positions.
struct SyntheticIndexFiles: IndexFileSource {
    let chunks: Int

    static func chunkID(_ position: Int) -> ChunkID {
        var generator = SplitMix64(seed: UInt64(position) &* 0x9E37_79B9_7F4A_7C15 &+ 1)
        return ChunkID(digest: Digest32(words: generator.next(), generator.next(), generator.next(), generator.next()))
    }

    static func packID(_ number: Int) -> PackID {
        var generator = SplitMix64(seed: ~UInt64(number))
        return PackID(digest: Digest32(words: generator.next(), generator.next(), generator.next(), generator.next()))
    }

    func listIndexFiles() async throws -> [String] {
        (0..<((chunks + ChunkIndexBenchmark.chunksPerFile - 1) / ChunkIndexBenchmark.chunksPerFile)).map {
            "index/synthetic-\($0)"
        }
    }

    func readIndexFile(_ key: String) async throws -> [(PackID, [PackEntry])] {
        guard let file = Int(key.split(separator: "-").last ?? "") else { throw ChunkStoreError.objectNotFound(key) }
        let range = (file * ChunkIndexBenchmark.chunksPerFile)..<min(chunks, (file + 1) * ChunkIndexBenchmark.chunksPerFile)
        var packs: [(PackID, [PackEntry])] = []
        for position in range {
            let pack = position / ChunkIndexBenchmark.chunksPerPack
            if packs.isEmpty || position % ChunkIndexBenchmark.chunksPerPack == 0 { packs.append((Self.packID(pack), [])) }
            let slot = UInt32(position % ChunkIndexBenchmark.chunksPerPack)
            packs[packs.count - 1].1.append(
                PackEntry(id: Self.chunkID(position), offset: slot * 262_144, length: 262_144, rawLength: 300_000))
        }
        return packs
    }

    /// How many of `samples` random absent ids get past the filters (each then costs one bucket search).
    static func filterPasses(index: ChunkIndex, samples: Int, generator: inout SplitMix64) -> Int {
        var passes = 0
        for _ in 0..<samples where index.filtersMayContain(w1: generator.next(), w2: generator.next()) { passes += 1 }
        return passes
    }
}

/// Resident memory of this process from `/proc/self/status`, in kB (zeros where it does not exist).
struct MemoryStatus {
    var anonymous = 0
    var file = 0
    var peak = 0

    static func read() -> MemoryStatus {
        var status = MemoryStatus()
        guard let text = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return status }
        for line in text.split(separator: "\n") {
            let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            guard fields.count >= 2, let value = Int(fields[1]) else { continue }
            switch fields[0] {
            case "RssAnon:": status.anonymous = value
            case "RssFile:": status.file = value
            case "VmHWM:": status.peak = value
            default: break
            }
        }
        return status
    }
}
