import Crypto
import NIOCore
import Testing

@testable import ChunkStore

@Suite("FastCDC chunker")
struct ChunkerTests {
    static let keys = RepositoryKeys(material: SymmetricKey(data: [UInt8](0..<64)))

    static func cut(_ pieces: [ByteBuffer], parameters: ChunkingParameters = .default) -> [Int] {
        var chunker = Chunker(parameters: parameters, gear: keys.gear)
        var lengths: [Int] = []
        for piece in pieces {
            chunker.append(piece)
            while let chunk = chunker.nextChunk() { lengths.append(chunk.readableBytes) }
        }
        chunker.finish()
        while let chunk = chunker.nextChunk() { lengths.append(chunk.readableBytes) }
        return lengths
    }

    @Test("cut points for a seeded 12 MiB input and a fixed key are pinned")
    func golden() {
        var generator = SeededGenerator(seed: 42)
        let input = generator.bytes(12 << 20)
        let lengths = Self.cut([input])
        #expect(
            lengths == [
                1_221_743, 1_788_611, 1_264_283, 1_259_957, 1_234_960, 1_112_575, 1_392_857, 1_090_213, 1_233_072,
                984_641,
            ])
        #expect(lengths.reduce(0, +) == 12 << 20)
    }

    @Test("cut points do not depend on how the stream is split into buffers")
    func splitInvariance() {
        var generator = SeededGenerator(seed: 1)
        let parameters = ChunkingParameters(minimumSize: 4 << 10, averageSize: 16 << 10, maximumSize: 64 << 10)
        let input = generator.bytes(1 << 20)
        let whole = Self.cut([input], parameters: parameters)
        // Byte-sized pieces for the first 300 KB exercise the slow path without making the test slow.
        var tiny = generator.split(input.getSlice(at: 0, length: 300_000)!, maxPiece: 3)
        tiny.append(input.getSlice(at: 300_000, length: input.readableBytes - 300_000)!)
        #expect(Self.cut(tiny, parameters: parameters) == whole)
        for maxPiece in [1000, 70_000] {
            #expect(Self.cut(generator.split(input, maxPiece: maxPiece), parameters: parameters) == whole)
        }
        #expect(whole.dropLast().allSatisfy { (4 << 10...64 << 10).contains($0) })
        #expect(whole.count > 40 && whole.count < 120)
    }

    @Test("inputs up to the minimum size are one chunk; empty input is no chunk")
    func smallInputs() {
        var generator = SeededGenerator(seed: 2)
        #expect(Self.cut([]) == [])
        #expect(Self.cut([ByteBuffer()]) == [])
        #expect(Self.cut([generator.bytes(10)]) == [10])
        #expect(Self.cut([generator.bytes(256 << 10)]) == [256 << 10])
    }

    @Test("a different repository key gives different cut points for the same content")
    func keyed() {
        var generator = SeededGenerator(seed: 42)
        let input = generator.bytes(8 << 20)
        let other = RepositoryKeys(material: SymmetricKey(data: [UInt8](repeating: 7, count: 64)))
        var chunker = Chunker(parameters: .default, gear: other.gear)
        var lengths: [Int] = []
        chunker.append(input)
        chunker.finish()
        while let chunk = chunker.nextChunk() { lengths.append(chunk.readableBytes) }
        #expect(lengths != Self.cut([input]))
        #expect(lengths.reduce(0, +) == 8 << 20)
    }
}
