import CompressNIO
import Crypto
import Foundation
import NIOCore
import NIOFoundationCompat
import Testing

@testable import ChunkStore

@Suite("Chunk sealing: compression choice, in-place sealing, older formats")
struct ChunkSealerTests {
    static let sealer = ChunkSealer(keys: RepositoryKeys(material: SymmetricKey(data: [UInt8](0..<64))))

    /// The compression marker a sealed chunk carries (its first decrypted byte).
    static func marker(of sealed: Data, id: ChunkID) throws -> ChunkCompression? {
        let inner = try AES.GCM.open(AES.GCM.SealedBox(combined: sealed), using: sealer.keys.encryption, authenticating: id.bytes)
        return inner.first.flatMap(ChunkCompression.init(rawValue:))
    }

    static func chunks(of input: ByteBuffer) -> [ByteBuffer] {
        var chunker = Chunker(parameters: .default, gear: sealer.keys.gear)
        var result: [ByteBuffer] = []
        chunker.append(input)
        chunker.finish()
        while let chunk = chunker.nextChunk() { result.append(chunk) }
        return result
    }

    @Test("a chunker's incompressible chunk is sealed in place and opens to the same bytes as a copied one")
    func inPlaceSealing() throws {
        var generator = SeededGenerator(seed: 11)
        let input = generator.bytes(3 << 20)
        for chunk in Self.chunks(of: input) {
            #expect(chunk.readerIndex == 1)
            let id = Self.sealer.chunkID(of: chunk)
            let marked = try Self.sealer.seal(chunk, id: id)
            let plain = try Self.sealer.seal(ByteBuffer(bytes: chunk.readableBytesView), id: id)
            #expect(marked.count == chunk.readableBytes + ChunkSealer.overhead)
            #expect(try Self.marker(of: marked, id: id) == ChunkCompression.none)
            #expect(try Self.sealer.open(ByteBuffer(data: marked), id: id, rawLength: chunk.readableBytes) == chunk)
            #expect(try Self.sealer.open(ByteBuffer(data: plain), id: id, rawLength: chunk.readableBytes) == chunk)
        }
    }

    @Test("compressible chunks are stored with zstd and open byte for byte", .enabled(if: ZstdLibrary.shared != nil))
    func zstdChunks() throws {
        let text = RepositoryTests.text(2 << 20)
        for chunk in Self.chunks(of: text) {
            let id = Self.sealer.chunkID(of: chunk)
            let sealed = try Self.sealer.seal(chunk, id: id)
            #expect(try Self.marker(of: sealed, id: id) == .zstd)
            #expect(sealed.count < chunk.readableBytes / 4)
            #expect(try Self.sealer.open(ByteBuffer(data: sealed), id: id, rawLength: chunk.readableBytes) == chunk)
        }
    }

    @Test("zlib chunks written before zstd still open; a wrong length or damaged payload is corruption")
    func zlibChunksStillOpen() throws {
        let chunk = RepositoryTests.text(300 << 10)
        let id = Self.sealer.chunkID(of: chunk)
        var input = chunk
        var compressed = try input.compress(with: .zlib())
        var inner = ByteBuffer()
        inner.writeInteger(ChunkCompression.zlib.rawValue)
        inner.writeBuffer(&compressed)
        let box = try AES.GCM.seal(inner.readableBytesView, using: Self.sealer.keys.encryption, authenticating: id.bytes)
        let sealed = ByteBuffer(data: box.combined!)
        #expect(try Self.sealer.open(sealed, id: id, rawLength: chunk.readableBytes) == chunk)
        #expect(throws: ChunkStoreError.self) { try Self.sealer.open(sealed, id: id, rawLength: chunk.readableBytes + 1) }
    }

    @Test("a zstd frame that decodes to the wrong size is reported as a corrupt chunk", .enabled(if: ZstdLibrary.shared != nil))
    func zstdWrongLength() throws {
        let chunk = RepositoryTests.text(200 << 10)
        let id = Self.sealer.chunkID(of: chunk)
        let sealed = try Self.sealer.seal(chunk, id: id)
        #expect(try Self.marker(of: sealed, id: id) == .zstd)
        #expect {
            try Self.sealer.open(ByteBuffer(data: sealed), id: id, rawLength: chunk.readableBytes - 1)
        } throws: { error in
            guard case .corruptChunk(_, let reason) = error as? ChunkStoreError else { return false }
            return reason.contains("decompression failed")
        }
    }
}
