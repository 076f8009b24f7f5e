import Crypto
import NIOCore
import Testing

@testable import ChunkStore

/// Pins the chunker's cut points so any change to FastCDC, its masks or the keyed gear table is caught.
///
/// Cut points decide deduplication across a repository's whole life: a changed cut point means every file stored
/// afterwards dedups against nothing stored before. These values were recorded from the chunker as first shipped;
/// an optimisation must reproduce them exactly.
@Suite("FastCDC golden cut points and properties")
struct ChunkerGoldenTests {
    static let small = ChunkingParameters(minimumSize: 4 << 10, averageSize: 16 << 10, maximumSize: 64 << 10)

    /// End offsets of every chunk of `pieces` (fed in that order) under the fixed test key.
    static func cutOffsets(
        _ pieces: [ByteBuffer], parameters: ChunkingParameters, keys: RepositoryKeys = ChunkerTests.keys
    ) -> [Int] {
        var chunker = Chunker(parameters: parameters, gear: keys.gear)
        var offsets: [Int] = []
        var end = 0
        func drain() {
            while let chunk = chunker.nextChunk() {
                end += chunk.readableBytes
                offsets.append(end)
            }
        }
        for piece in pieces {
            chunker.append(piece)
            drain()
        }
        chunker.finish()
        drain()
        return offsets
    }

    /// Low-entropy, office-XML-like text: repeated markup with a running counter.
    static func markup(_ size: Int) -> ByteBuffer {
        var buffer = ByteBufferAllocator().buffer(capacity: size + 128)
        var row = 0
        while buffer.readableBytes < size {
            buffer.writeString("<w:p><w:r><w:t xml:space=\"preserve\">Row \(row) of the quarterly report, ")
            buffer.writeString("\(row * 37 % 1000) EUR</w:t></w:r></w:p>\n")
            row += 1
        }
        return buffer.getSlice(at: 0, length: size)!
    }

    @Test("the keyed gear table for the fixed test key is pinned")
    func gearTable() {
        let values = ChunkerTests.keys.gear.values
        #expect(values.count == 256)
        #expect(
            Array(values.prefix(4)) == [
                7_955_992_922_429_795_154, 17_600_816_007_655_746_893, 10_707_822_593_179_115_671, 6_892_182_114_253_801_797,
            ])
        var digest = SHA256()
        for value in values { withUnsafeBytes(of: value.bigEndian) { digest.update(bufferPointer: $0) } }
        #expect(
            Digest32(bytes: Array(digest.finalize())).hex
                == "17bd8680aca2bd6fd654b5670c01b0e298884e726e57309c4701a5eb3b61a23a")
    }

    @Test("cut offsets of 1 MiB of seeded random bytes with 4/16/64 KiB parameters are pinned")
    func goldenRandomSmall() {
        var generator = SeededGenerator(seed: 7)
        let offsets = Self.cutOffsets([generator.bytes(1 << 20)], parameters: Self.small)
        #expect(offsets == [
            30778, 34968, 58876, 75982, 94864, 111823, 117762, 134728, 152010, 174892, 205254, 221704, 239018,
            261637, 278590, 296778, 312967, 332832, 355044, 372351, 389625, 407303, 433062, 455297, 472058,
            476457, 494194, 521652, 540403, 545575, 562825, 584253, 608098, 635533, 653902, 672497, 689433,
            725046, 741506, 760919, 778446, 798123, 820568, 835855, 841527, 850660, 868199, 886840, 902411,
            919395, 936120, 958484, 979011, 998320, 1016567, 1048123, 1048576,
        ])
    }

    @Test("cut offsets of 256 KiB of markup-like text with 4/16/64 KiB parameters are pinned")
    func goldenMarkupSmall() {
        let offsets = Self.cutOffsets([Self.markup(256 << 10)], parameters: Self.small)
        #expect(offsets == [
            17971, 40409, 66217, 87640, 109099, 127731, 151868, 171887, 196103, 217866, 239589, 262144,
        ])
    }

    @Test("cut offsets of 24 MiB of seeded random bytes with the default parameters are pinned")
    func goldenRandomDefault() {
        var generator = SeededGenerator(seed: 2026)
        let offsets = Self.cutOffsets([generator.bytes(24 << 20)], parameters: .default)
        #expect(offsets == [
            1257409, 2731245, 3897102, 5077347, 6401746, 7537186, 8708720, 10288916, 11653426, 13065990, 14156748,
            14472448, 15650417, 16721460, 17858555, 19208014, 21088152, 22462445, 23645648, 24810075, 25165824,
        ])
    }

    @Test("cut offsets under a second key and 512 KiB/2 MiB/8 MiB parameters are pinned")
    func goldenOtherKeyLarge() {
        var generator = SeededGenerator(seed: 99)
        let keys = RepositoryKeys(material: SymmetricKey(data: [UInt8](repeating: 0x5A, count: 64)))
        let parameters = ChunkingParameters(minimumSize: 512 << 10, averageSize: 2 << 20, maximumSize: 8 << 20)
        let offsets = Self.cutOffsets([generator.bytes(24 << 20)], parameters: parameters, keys: keys)
        #expect(offsets == [
            2715995, 5060850, 7857108, 9966117, 12859437, 17625225, 20716589, 22938909, 25165824,
        ])
    }

    @Test("a stream of one repeated byte is cut at the maximum size")
    func constantInput() {
        let input = ByteBuffer(repeating: 0, count: 300 << 10)
        let offsets = Self.cutOffsets([input], parameters: Self.small)
        #expect(offsets == [65536, 131072, 196608, 262144, 307200])
    }

    @Test(
        "random data split into random buffer sizes gives the cut points of one buffer",
        arguments: [UInt64(1), 2, 3, 4, 5])
    func splitInvariance(seed: UInt64) {
        var generator = SeededGenerator(seed: seed)
        let input = generator.bytes(Int.random(in: (256 << 10)...(2 << 20), using: &generator))
        let whole = Self.cutOffsets([input], parameters: Self.small)
        let maxPiece = [1 << 10, 17_000, 65 << 10, 200_000, 1 << 20][Int(seed - 1)]
        #expect(Self.cutOffsets(generator.split(input, maxPiece: maxPiece), parameters: Self.small) == whole)
        #expect(whole.last == input.readableBytes)
    }

    @Test(
        "every chunk lies within the minimum and maximum size except the last",
        arguments: [UInt64(11), 12, 13])
    func sizeBounds(seed: UInt64) {
        var generator = SeededGenerator(seed: seed)
        var input = generator.bytes(Int.random(in: (1 << 20)...(3 << 20), using: &generator))
        // A run of zeros in the middle forces cuts at the maximum, as padding in real files does.
        input.setBytes([UInt8](repeating: 0, count: 200 << 10), at: 300 << 10)
        let offsets = Self.cutOffsets([input], parameters: Self.small)
        let lengths = zip(offsets, [0] + offsets).map { $0 - $1 }
        #expect(lengths.dropLast().allSatisfy { (Self.small.minimumSize...Self.small.maximumSize).contains($0) })
        #expect((1...Self.small.maximumSize).contains(lengths.last ?? 0))
        #expect(lengths.contains(Self.small.maximumSize))
        #expect(offsets.last == input.readableBytes)
    }

    @Test(
        "an insertion in the middle changes only the chunks next to it; the rest are the same, shifted",
        arguments: [UInt64(21), 22, 23, 24])
    func insertionLocality(seed: UInt64) {
        var generator = SeededGenerator(seed: seed)
        let original = generator.bytes(2 << 20)
        let position = Int.random(in: (512 << 10)...(1536 << 10), using: &generator)
        let inserted = generator.bytes(Int.random(in: 1...5000, using: &generator))
        var edited = original.getSlice(at: 0, length: position)!
        edited.writeImmutableBuffer(inserted)
        edited.writeImmutableBuffer(original.getSlice(at: position, length: original.readableBytes - position)!)

        let before = Self.cutOffsets([original], parameters: Self.small)
        let after = Self.cutOffsets([edited], parameters: Self.small)
        // Cuts before the insertion are untouched; once the chunker resynchronises every later cut is the old one shifted.
        let unchangedPrefix = before.filter { $0 <= position }
        #expect(Array(after.prefix(unchangedPrefix.count)) == unchangedPrefix)
        let shiftedBefore = Set(before.filter { $0 > position }.map { $0 + inserted.readableBytes })
        guard let firstResync = after.firstIndex(where: { $0 > position && shiftedBefore.contains($0) }) else {
            Issue.record("the chunker never resynchronised after the insertion")
            return
        }
        let tail = after[firstResync...]
        #expect(tail.allSatisfy { shiftedBefore.contains($0) })
        #expect(tail.count == shiftedBefore.count { $0 >= after[firstResync] })
        // At most three chunks differ: the one holding the insertion and the one or two it took to resynchronise.
        #expect(firstResync - unchangedPrefix.count <= 3)
    }
}
