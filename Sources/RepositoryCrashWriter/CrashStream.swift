import NIOCore
import SeededRandom

/// One seeded stream the crash writer stores; `Tests/ChunkStoreTests/CrashSafetyTests.swift` regenerates it
/// with the same recipe to compare what a reopened repository reads back, so the two must stay in step.
///
/// Stream `id` is `size` SplitMix64 bytes (little-endian words, then single bytes) from seed
/// `seed &* 1_000_003 &+ id`, with `size = next() % (maximumBytes + 1)`; except every stream with `id % 3 == 2`,
/// which is stream `id - 1` with up to 64 bytes in its middle overwritten by the next bytes of its own generator,
/// so that edited versions deduplicate against their originals.
struct CrashStream {
    let bytes: ByteBuffer

    static let keyPrefix = "streams/"

    init(seed: UInt64, id: Int, maximumBytes: Int) {
        var generator = SplitMix64(seed: seed &* 1_000_003 &+ UInt64(id))
        if id % 3 == 2 {
            var edited = CrashStream(seed: seed, id: id - 1, maximumBytes: maximumBytes).bytes
            let length = min(64, edited.readableBytes)
            edited.setBuffer(generator.byteBuffer(length), at: edited.readableBytes / 2 - length / 2)
            bytes = edited
        } else {
            let size = Int(generator.next() % UInt64(maximumBytes + 1))
            bytes = generator.byteBuffer(size)
        }
    }

    /// The stream as a download would deliver it: pieces of at most `maximumPiece` bytes.
    func pieces(maximumPiece: Int) -> Pieces {
        var rest = bytes
        var pieces: [ByteBuffer] = []
        while rest.readableBytes > 0 {
            pieces.append(rest.readSlice(length: min(maximumPiece, rest.readableBytes))!)
        }
        return Pieces(buffers: pieces)
    }

    /// The durable-folder key recording stream `id`'s manifest.
    static func key(of id: Int) -> String {
        keyPrefix + String(id)
    }

    /// The stream id a durable-folder key records, or nil for other keys.
    static func id(ofKey key: String) -> Int? {
        key.hasPrefix(keyPrefix) ? Int(key.dropFirst(keyPrefix.count)) : nil
    }

    /// The pieces of a stream as an async sequence, which is what `Repository.store` consumes.
    struct Pieces: AsyncSequence, Sendable {
        typealias Element = ByteBuffer
        let buffers: [ByteBuffer]

        struct AsyncIterator: AsyncIteratorProtocol {
            var remaining: ArraySlice<ByteBuffer>
            mutating func next() async throws -> ByteBuffer? { remaining.popFirst() }
        }

        func makeAsyncIterator() -> AsyncIterator { AsyncIterator(remaining: buffers[...]) }
    }
}
