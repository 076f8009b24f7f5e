import Testing

@testable import ChunkStore

@Suite("ContentManifest")
struct ContentManifestTests {
    @Test("serialized form round-trips and is compact")
    func roundTrip() throws {
        let ids = (0..<3).map { n in ChunkID(bytes: [UInt8](repeating: UInt8(n), count: 31) + [0xff]) }
        let manifest = ContentManifest(size: 123_456_789_012, chunks: ids)
        let bytes = manifest.serialized()
        #expect(bytes.count == 13 + 3 * 32)
        #expect(try ContentManifest(serialized: bytes) == manifest)
        #expect(try ContentManifest(serialized: ContentManifest(size: 0, chunks: []).serialized()).chunks.isEmpty)
        #expect(ChunkID(hex: ids[2].hex) == ids[2])
        #expect(ids[1].hex.hasPrefix("0101"))
    }

    @Test("truncated, padded or unknown-version input is refused")
    func invalid() {
        let bytes = ContentManifest(size: 5, chunks: [ChunkID(bytes: [UInt8](repeating: 9, count: 32))]).serialized()
        #expect(throws: ChunkStoreError.self) { try ContentManifest(serialized: Array(bytes.dropLast())) }
        #expect(throws: ChunkStoreError.self) { try ContentManifest(serialized: bytes + [0]) }
        #expect(throws: ChunkStoreError.self) { try ContentManifest(serialized: [2] + bytes.dropFirst()) }
        #expect(throws: ChunkStoreError.self) { try ContentManifest(serialized: []) }
    }
}
