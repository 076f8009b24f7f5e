import QuickXorHash
import SeededRandom
import Synchronization

/// The bytes of one file version: held in memory, or generated from a seed whenever they are read.
enum VersionContent: Sendable {
    /// Bytes kept in memory, with their quickXorHash.
    case stored(bytes: [UInt8], quickXorHash: String)
    /// Bytes generated on demand (large files that are never held in memory).
    case generated(GeneratedContent)

    /// Bytes held in memory, hashed now.
    static func stored(_ bytes: [UInt8]) -> VersionContent {
        .stored(bytes: bytes, quickXorHash: QuickXorHashing.hash(bytes))
    }

    /// Length in bytes.
    var count: Int {
        switch self {
        case .stored(let bytes, _): bytes.count
        case .generated(let content): content.size
        }
    }

    /// Base64 quickXorHash of the whole content (computed once for generated content, then cached).
    var quickXorHash: String {
        switch self {
        case .stored(_, let hash): hash
        case .generated(let content): content.quickXorHash
        }
    }

    /// The bytes of `range` (clamped to the content).
    func bytes(in range: Range<Int>) -> [UInt8] {
        let clamped = range.clamped(to: 0..<count)
        switch self {
        case .stored(let bytes, _): return Array(bytes[clamped])
        case .generated(let content): return content.bytes(in: clamped)
        }
    }
}

/// Pseudo-random bytes of any size, a pure function of a seed and an offset, so a file of several GiB costs no memory
/// and any range of it can be served. Its quickXorHash is computed by streaming the bytes once, the first time it is
/// asked for, and cached.
final class GeneratedContent: Sendable {
    /// Bytes generated per block; a block is a function of the seed and its index alone.
    static let blockSize = 1 << 16

    let seed: UInt64
    let size: Int
    private let cachedHash = Mutex<String?>(nil)
    /// Where the hash is kept beyond this instance (a bulk folder's file, whose record is computed anew each time).
    private let hashCache: BulkHashes.Slot?

    init(seed: UInt64, size: Int, hashCache: BulkHashes.Slot? = nil) {
        self.seed = seed
        self.size = max(0, size)
        self.hashCache = hashCache
    }

    /// The bytes of `range`, which must lie within `0..<size`.
    func bytes(in range: Range<Int>) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(range.count)
        var offset = range.lowerBound
        while offset < range.upperBound {
            let index = offset / Self.blockSize
            let start = index * Self.blockSize
            let block = self.block(index)
            let end = min(block.count, range.upperBound - start)
            out.append(contentsOf: block[(offset - start)..<end])
            offset = start + end
        }
        return out
    }

    /// Base64 quickXorHash of all `size` bytes.
    var quickXorHash: String {
        if let hash = cachedHash.withLock({ $0 }) ?? hashCache?.hash { return hash }
        var hasher = QuickXorHasher()
        var index = 0
        while index * Self.blockSize < size {
            block(index).withUnsafeBytes { hasher.update($0) }
            index += 1
        }
        let hash = hasher.finalizeBase64()
        cachedHash.withLock { $0 = hash }
        hashCache?.remember(hash)
        return hash
    }

    private func block(_ index: Int) -> [UInt8] {
        var generator = SplitMix64(seed: seed ^ (UInt64(index) &* 0xD1B5_4A32_D192_ED03))
        return generator.bytes(min(Self.blockSize, size - index * Self.blockSize))
    }
}
