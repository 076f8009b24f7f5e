import SeededRandom
import Testing
@testable import QuickXorHash

// Expected digests were produced with an independent implementation, the PyPI package `quickxorhash` 1.0.5
// (`pip install quickxorhash`), by this script (inputs are rebuilt identically by `pattern` and `lcgBytes` below):
//
//   import base64, quickxorhash
//   def qx(chunks):
//       h = quickxorhash.quickxorhash()
//       for c in chunks: h.update(c)
//       return base64.b64encode(h.digest()).decode()
//   def pattern(n): return bytes(((i * 31 + 7) & 0xFF) for i in range(n))
//   def lcg(n, seed=0x9E3779B97F4A7C15):
//       s = seed; out = bytearray(n)
//       for i in range(n):
//           s = (s * 6364136223846793005 + 1442695040888963407) & 0xFFFFFFFFFFFFFFFF
//           out[i] = s >> 56
//       return bytes(out)
//   qx([b""]); qx([b"a"]); qx([pattern(n)[:k]]) for k in 1...200; qx([pattern(n)]) for n in (1000, 4096, 100003)
//   qx([lcg(1 << 20)]) and the same buffer fed in chunks of sizes cycling through [1, 7, 159, 160, 161, 4095, 65537, 3].

/// Deterministic test input: byte i = (i * 31 + 7) mod 256.
func pattern(_ count: Int) -> [UInt8] {
    (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
}

/// Deterministic test input: the top byte of a 64-bit LCG (Knuth MMIX constants) per output byte.
func lcgBytes(_ count: Int, seed: UInt64 = 0x9E37_79B9_7F4A_7C15) -> [UInt8] {
    var state = seed
    var out = [UInt8](repeating: 0, count: count)
    for i in 0..<count {
        state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        out[i] = UInt8(truncatingIfNeeded: state >> 56)
    }
    return out
}

let prefixDigests: [String] = [
    "BwAAAAAAAAAAAAAAAQAAAAAAAAA=",
    "BzABAAAAAAAAAAAAAgAAAAAAAAA=",
    "BzBBEQAAAAAAAAAAAwAAAAAAAAA=",
    "BzBBEcgAAAAAAAAABAAAAAAAAAA=",
    "BzBBEcgwCAAAAAAABQAAAAAAAAA=",
    "BzBBEcgwCFEAAAAABgAAAAAAAAA=",
    "BzBBEcgwCFEEAwAABwAAAAAAAAA=",
    "BzBBEcgwCFEEAxwACAAAAAAAAAA=",
    "BzBBEcgwCFEEAxz/CQAAAAAAAAA=",
    "BzBBEcgwCFEEAxz/+gAAAAAAAAA=",
    "BzBBEcgwCFEEAxz/+0APAAAAAAA=",
    "BzBBEcgwCFEEAxz//EAPuAAAAAA=",
    "BzBBEcgwCFEEAxz//UAPuLAHAAA=",
    "BzBBEcgwCFEEAxz//kAPuLAHTQA=",
    "BTBBEcgwCFEEAxz//0APuLAHTeQ=",
    "BStBEcgwCFEEAxz/4EAPuLAHTeQ=",
    "BSu2EcgwCFEEAxz/4UAPuLAHTeQ=",
    "BSu2ocgwCFEEAxz/4kAPuLAHTeQ=",
    "BSu2oYg9CFEEAxz/40APuLAHTeQ=",
    "BSu2oYg9oFEEAxz/5EAPuLAHTeQ=",
    "BSu2oYg9oGEDAxz/5UAPuLAHTeQ=",
    "BSu2oYg9oGEDShz/5kAPuLAHTeQ=",
    "BSu2oYg9oGEDStj950APuLAHTeQ=",
    "BSu2oYg9oGEDStj98kAPuLAHTeQ=",
    "BSu2oYg9oGEDStj9868PuLAHTeQ=",
    "BSu2oYg9oGEDStj98K9/uLAHTeQ=",
    "BSu2oYg9oGEDStj98a9/+LsHTeQ=",
    "BSu2oYg9oGEDStj99q9/+LufTeQ=",
    "BSu2oYg9oGEDStj9969/+Luf/eI=",
    "QCu2oYg9oGEDStj99K9/+Luf/eI=",
    "QI+0oYg9oGEDStj99a9/+Luf/eI=",
    "QI+0uIg9oGEDStj9yq9/+Luf/eI=",
    "QI+0uG89oGEDStj9y69/+Luf/eI=",
    "QI+0uG8NoGEDStj9yK9/+Luf/eI=",
    "QI+0uG8N4GgDStj9ya9/+Luf/eI=",
    "QI+0uG8N4GiLStj9zq9/+Luf/eI=",
    "QI+0uG8N4GiLet79z69/+Luf/eI=",
    "QI+0uG8N4GiLet68zK9/+Luf/eI=",
    "QI+0uG8N4GiLet68Sa1/+Luf/eI=",
    "QI+0uG8N4GiLet68Rq1n+Luf/eI=",
    "QI+0uG8N4GiLet68R61nJ7uf/eI=",
    "QI+0uG8N4GiLet68RK1nJ0uY/eI=",
    "QI+0uG8N4GiLet68Ra1nJ0vY+uI=",
    "QI+0uG8N4GiLet68Qq1nJ0vY+po=",
    "8Iq0uG8N4GiLet68Q61nJ0vY+po=",
    "8IqJuG8N4GiLet68QK1nJ0vY+po=",
    "8IqJ3G0N4GiLet68Qa1nJ0vY+po=",
    "8IqJ3G0a4GiLet68Xq1nJ0vY+po=",
    "8IqJ3G0aN2iLet68X61nJ0vY+po=",
    "8IqJ3G0aN9iMet68XK1nJ0vY+po=",
    "8IqJ3G0aN9jMf968Xa1nJ0vY+po=",
    "8IqJ3G0aN9jMf7a8Wq1nJ0vY+po=",
    "8IqJ3G0aN9jMf7aMXq1nJ0vY+po=",
    "8IqJ3G0aN9jMf7aMXZRnJ0vY+po=",
    "8IqJ3G0aN9jMf7aMXJQjJUvY+po=",
    "8IqJ3G0aN9jMf7aMU5QjJV3Y+po=",
    "8IqJ3G0aN9jMf7aMUpQjJV0X+po=",
    "8IqJ3G0aN9jMf7aMUZQjJV0Xip0=",
    "84qJ3G0aN9jMf7aMUJQjJV0Xit0=",
    "89KJ3G0aN9jMf7aMV5QjJV0Xit0=",
    "89I52G0aN9jMf7aMVpQjJV0Xit0=",
    "89I52FgaN9jMf7aMVZQjJV0Xit0=",
    "89I52Fg+NdjMf7aMVJQjJV0Xit0=",
    "89I52Fg+Nc3Mf7aMK5QjJV0Xit0=",
    "89I52Fg+Nc0Lf7aMKpQjJV0Xit0=",
    "89I52Fg+Nc0LT7GMKZQjJV0Xit0=",
    "89I52Fg+Nc0LT/GNKJQjJV0Xit0=",
    "89I52Fg+Nc0LT/GNZ5QjJV0Xit0=",
    "89I52Fg+Nc0LT/GNZqQnJV0Xit0=",
    "89I52Fg+Nc0LT/GNZaQnFF0Xit0=",
    "89I52Fg+Nc0LT/GNZKQnFFkVit0=",
    "89I52Fg+Nc0LT/GNa6QnFFkVnt0=",
    "89I52Fg+Nc0LT/GNaqQnFFkVnmI=",
    "A9Q52Fg+Nc0LT/GNaaQnFFkVnmI=",
    "A5QG2Fg+Nc0LT/GNaKQnFFkVnmI=",
    "A5QG4Fg+Nc0LT/GNb6QnFFkVnmI=",
    "A5QG4Og9Nc0LT/GNbqQnFFkVnmI=",
    "A5QG4Og9GM0LT/GNbaQnFFkVnmI=",
    "A5QG4Og9GCkKT/GNbKQnFFkVnmI=",
    "A5QG4Og9GCkKXPGNc6QnFFkVnmI=",
    "A5QG4Og9GCkKXEaNcqQnFFkVnmI=",
    "A5QG4Og9GCkKXEY9d6QnFFkVnmI=",
    "A5QG4Og9GCkKXEY9NpknFFkVnmI=",
    "A5QG4Og9GCkKXEY9MZkPFFkVnmI=",
    "A5QG4Og9GCkKXEY9MJkPJFoVnmI=",
    "A5QG4Og9GCkKXEY9M5kPJFo8nmI=",
    "A5QG4Og9GCkKXEY9MpkPJFo8WmM=",
    "EZQG4Og9GCkKXEY9PZkPJFo8WmM=",
    "ETsG4Og9GCkKXEY9PJkPJFo8WmM=",
    "ETt25ug9GCkKXEY9P5kPJFo8WmM=",
    "ETt2ptM9GCkKXEY9PpkPJFo8WmM=",
    "ETt2ptMlGCkKXEY9OZkPJFo8WmM=",
    "ETt2ptMlqCsKXEY9OJkPJFo8WmM=",
    "ETt2ptMlqCsvXEY9O5kPJFo8WmM=",
    "ETt2ptMlqCsv+Ec9OpkPJFo8WmM=",
    "ETt2ptMlqCsv+EcsBZkPJFo8WmM=",
    "ETt2ptMlqCsv+Ecso5kPJFo8WmM=",
    "ETt2ptMlqCsv+EcsoKkJJFo8WmM=",
    "ETt2ptMlqCsv+EcsoalJHVo8WmM=",
    "ETt2ptMlqCsv+EcspqlJHVI8WmM=",
    "ETt2ptMlqCsv+Ecsp6lJHVIMWGM=",
    "ETt2ptMlqCsv+EcspKlJHVIMWEI=",
    "lTp2ptMlqCsv+EcspalJHVIMWEI=",
    "lTpmptMlqCsv+EcsqqlJHVIMWEI=",
    "lTpmOdMlqCsv+Ecsq6lJHVIMWEI=",
    "lTpmOSMgqCsv+EcsqKlJHVIMWEI=",
    "lTpmOSNgnysv+EcsqalJHVIMWEI=",
    "lTpmOSNgn9Mu+EcsrqlJHVIMWEI=",
    "lTpmOSNgn9Oe+Ucsr6lJHVIMWEI=",
    "lTpmOSNgn9Oe+VosrKlJHVIMWEI=",
    "lTpmOSNgn9Oe+VpIrKlJHVIMWEI=",
    "lTpmOSNgn9Oe+VpIs6ZJHVIMWEI=",
    "lTpmOSNgn9Oe+VpIsqbeHVIMWEI=",
    "lTpmOSNgn9Oe+VpIsaberVcMWEI=",
    "lTpmOSNgn9Oe+VpIsKberRc5WEI=",
    "lTpmOSNgn9Oe+VpIt6berRc5sEM=",
    "lDpmOSNgn9Oe+VpItqberRc5sHM=",
    "lCNmOSNgn9Oe+VpItaberRc5sHM=",
    "lCMiOCNgn9Oe+VpItKberRc5sHM=",
    "lCMiOC1gn9Oe+VpIu6berRc5sHM=",
    "lCMiOC3vn9Oe+VpIuqberRc5sHM=",
    "lCMiOC3v79ae+VpIuaberRc5sHM=",
    "lCMiOC3v75at+VpIuKberRc5sHM=",
    "lCMiOC3v75atIVtIv6berRc5sHM=",
    "lCMiOC3v75atIetIvqberRc5sHM=",
    "lCMiOC3v75atIetIqKberRc5sHM=",
    "lCMiOC3v75atIetIqYLfrRc5sHM=",
    "lCMiOC3v75atIetIVoLfoBc5sHM=",
    "lCMiOC3v75atIetIV4LfoJA5sHM=",
    "lCMiOC3v75atIetIVILfoJAJtXM=",
    "lCMiOC3v75atIetIVYLfoJAJ9UI=",
    "XCIiOC3v75atIetIUoLfoJAJ9UI=",
    "XBIiOC3v75atIetIU4LfoJAJ9UI=",
    "XBIiKS3v75atIetIUILfoJAJ9UI=",
    "XBIiKSnu75atIetIUYLfoJAJ9UI=",
    "XBIiKSnu45atIetIXoLfoJAJ9UI=",
    "XBIiKSnu4+mtIetIX4LfoJAJ9UI=",
    "XBIiKSnu4+ldJetIXILfoJAJ9UI=",
    "XBIiKSnu4+ldZcRIXYLfoJAJ9UI=",
    "XBIiKSnu4+ldZcTwW4LfoJAJ9UI=",
    "XBIiKSnu4+ldZcTw6o3foJAJ9UI=",
    "XBIiKSnu4+ldZcTw6Y3SoJAJ9UI=",
    "XBIiKSnu4+ldZcTw6I3SRJAJ9UI=",
    "XBIiKSnu4+ldZcTw943SRJAC9UI=",
    "XBIiKSnu4+ldZcTw9o3SRJACgkI=",
    "WBIiKSnu4+ldZcTw9Y3SRJACgvI=",
    "GD8iKSnu4+ldZcTw9I3SRJACgvI=",
    "GD+KKCnu4+ldZcTw843SRJACgvI=",
    "GD+KGCbu4+ldZcTw8o3SRJACgvI=",
    "GD+KGCbn4+ldZcTw8Y3SRJACgvI=",
    "GD+KGCbnJ+ldZcTw8I3SRJACgvI=",
    "GD+KGCbnJ+lXZcTw/43SRJACgvI=",
    "GD+KGCbnJ+lXCsTw/o3SRJACgvI=",
    "GD+KGCbnJ+lXCrT0/Y3SRJACgvI=",
    "GD+KGCbnJ+lXCrS0143SRJACgvI=",
    "GD+KGCbnJ+lXCrS00BXTRJACgvI=",
    "GD+KGCbnJ+lXCrS00RVjSpACgvI=",
    "GD+KGCbnJ+lXCrS00hVjSpUCgvI=",
    "GD+KGCbnJ+lXCrS00xVjSpWmgvI=",
    "GD+KGCbnJ+lXCrS07BVjSpWmgvs=",
    "fz+KGCbnJ+lXCrS07RVjSpWmgvs=",
    "fw+OGCbnJ+lXCrS07hVjSpWmgvs=",
    "fw/OMSbnJ+lXCrS07xVjSpWmgvs=",
    "fw/OMa7mJ+lXCrS06BVjSpWmgvs=",
    "fw/OMa7WKelXCrS06RVjSpWmgvs=",
    "fw/OMa7WKehXCrS06hVjSpWmgvs=",
    "fw/OMa7WKejTCrS06xVjSpWmgvs=",
    "fw/OMa7WKejTCry05BVjSpWmgvs=",
    "fw/OMa7WKejTCrzr5RVjSpWmgvs=",
    "fw/OMa7WKejTCrzrFhZjSpWmgvs=",
    "fw/OMa7WKejTCrzrF1ZESpWmgvs=",
    "fw/OMa7WKejTCrzrEFZEMpSmgvs=",
    "fw/OMa7WKejTCrzrEVZEMiSrgvs=",
    "fw/OMa7WKejTCrzrElZEMiSr//s=",
    "fw/OMa7WKejTCrzrE1ZEMiSr/58=",
    "fwjOMa7WKejTCrzrDFZEMiSr/58=",
    "fwiZMa7WKejTCrzrDVZEMiSr/58=",
    "fwiZga3WKejTCrzrDlZEMiSr/58=",
    "fwiZge3zKejTCrzrD1ZEMiSr/58=",
    "fwiZge3zQenTCrzrCFZEMiSr/58=",
    "fwiZge3zQdneCrzrCVZEMiSr/58=",
    "fwiZge3zQdnec7zrClZEMiSr/58=",
    "fwiZge3zQdnec/jrC1ZEMiSr/58=",
    "fwiZge3zQdnec/jrAlZEMiSr/58=",
    "fwiZge3zQdnec/jrAxlEMiSr/58=",
    "fwiZge3zQdnec/jrABk0MSSr/58=",
    "fwiZge3zQdnec/jrARk0cQer/58=",
    "fwiZge3zQdnec/jrBhk0cQfz/p8=",
    "fwiZge3zQdnec/jrBxk0cQfzTpM=",
    "CgiZge3zQdnec/jrBBk0cQfzTpM=",
    "CiyZge3zQdnec/jrBRk0cQfzTpM=",
    "CiyZhO3zQdnec/jrehk0cQfzTpM=",
    "CiyZhKrzQdnec/jrexk0cQfzTpM=",
    "CiyZhKrDQtnec/jreBk0cQfzTpM=",
    "CiyZhKrDAvjec/jreRk0cQfzTpM=",
    "CiyZhKrDAviWcvjrfhk0cQfzTpM=",
    "CiyZhKrDAviWQvTrfxk0cQfzTpM=",
    "CiyZhKrDAviWQvSafBk0cQfzTpM=",
    "CiyZhKrDAviWQvSaeRk0cQfzTpM=",
    "CiyZhKrDAviWQvSadhkwcQfzTpM=",
]

@Suite("QuickXorHash matches Microsoft's algorithm")
struct QuickXorHasherTests {
    @Test("empty input hashes to all zeros")
    func empty() {
        #expect(QuickXorHasher.hash([]) == "AAAAAAAAAAAAAAAAAAAAAAAAAAA=")
        #expect(QuickXorHasher().finalize() == [UInt8](repeating: 0, count: 20))
    }

    @Test("single byte and a sentence match the reference implementation")
    func short() {
        #expect(QuickXorHasher.hash(Array("a".utf8)) == "YQAAAAAAAAAAAAAAAQAAAAAAAAA=")
        #expect(QuickXorHasher.hash(Array("The quick brown fox jumps over the lazy dog".utf8)) == "bMSlbysmxJL6S75XwfMcQZOpcr4=")
    }

    @Test("every prefix of 1...200 bytes matches the reference implementation", arguments: 1...200)
    func prefixes(length: Int) {
        #expect(QuickXorHasher.hash(Array(pattern(length))) == prefixDigests[length - 1])
    }

    @Test("longer patterned inputs match the reference implementation", arguments: [
        (1000, "X4X7cC7/cVgPZMrjju+fOUsa7aY="),
        (4096, "TnEi02+12yWlVIof/EQWHHjEZfU="),
        (100_003, "fw/OMSbnJ+lXCrS075NiSpWmgvs="),
    ])
    func longer(length: Int, expected: String) {
        #expect(QuickXorHasher.hash(pattern(length)) == expected)
    }

    @Test("a 1 MiB pseudo-random buffer matches, whole and in odd-sized chunks")
    func oneMebibyte() {
        let big = lcgBytes(1 << 20)
        #expect(QuickXorHasher.hash(big) == "FBZxPfp/ra4m1m2OC5mX7cJwd/Y=")
        let sizes = [1, 7, 159, 160, 161, 4095, 65537, 3]
        var hasher = QuickXorHasher()
        var offset = 0
        var k = 0
        while offset < big.count {
            let end = min(big.count, offset + sizes[k % sizes.count])
            big[offset..<end].withUnsafeBytes { hasher.update($0) }
            offset = end
            k += 1
        }
        #expect(hasher.finalizeBase64() == "FBZxPfp/ra4m1m2OC5mX7cJwd/Y=")
    }

    @Test("non-contiguous sequences hash the same as arrays")
    func genericSequence() {
        let bytes = pattern(5000)
        var hasher = QuickXorHasher()
        hasher.update(bytes.lazy.map { $0 })
        #expect(hasher.finalizeBase64() == QuickXorHasher.hash(bytes))
    }

    @Test("any split of the input into updates gives the same digest")
    func splitProperty() {
        var rng = SplitMix64(seed: 42)
        for _ in 0..<200 {
            let count = Int.random(in: 0...2000, using: &rng)
            let bytes = lcgBytes(count, seed: rng.next())
            let expected = QuickXorHasher.hash(bytes)
            var hasher = QuickXorHasher()
            var offset = 0
            while offset < count {
                let end = min(count, offset + Int.random(in: 0...400, using: &rng))
                if Bool.random(using: &rng) {
                    hasher.update(bytes[offset..<end])
                } else {
                    bytes[offset..<end].withUnsafeBytes { hasher.update($0) }
                }
                offset = end
            }
            #expect(hasher.finalizeBase64() == expected)
            #expect(hasher.finalize().count == 20)
        }
    }
}
