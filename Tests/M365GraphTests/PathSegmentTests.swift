import Foundation
@testable import M365Graph
import SeededRandom
import Testing

@Suite("Path segments are percent-encoded as Foundation encodes them")
struct PathSegmentTests {
    /// Foundation's encoding, which `PathSegment` replaces for speed.
    static func reference(_ segment: String) -> String {
        var allowed = CharacterSet.urlPathAllowed
        allowed.remove(charactersIn: "/?#")
        return segment.addingPercentEncoding(withAllowedCharacters: allowed)!
    }

    @Test(
        "ids, names and reserved characters",
        arguments: [
            "", "01ABCDEF", "b!Xy-_z.~9", "a b", "Q3 report.docx", "x/y", "?#%", "100%", "name:with@colon", "ünïcødé",
            "日本語.txt", "emoji 📁", "semi;colon", "+&=$,!'()*", "tab\tnew\nline", "\"quotes\"<>[]{}|\\^`",
        ])
    func knownCases(segment: String) {
        #expect(PathSegment.encode(segment) == Self.reference(segment))
    }

    @Test("random strings over ASCII and beyond agree with Foundation")
    func randomStrings() {
        var random = SplitMix64(seed: 0x5E6)
        let pool: [Unicode.Scalar] =
            (0x20..<0x7F).compactMap(Unicode.Scalar.init) + ["\u{0}", "\u{7F}", "é", "ß", "€", "中", "😀", "\u{301}"]
        for _ in 0..<2_000 {
            let length = Int(random.next() % 24)
            var scalars = String.UnicodeScalarView()
            for _ in 0..<length { scalars.append(pool[Int(random.next() % UInt64(pool.count))]) }
            let segment = String(scalars)
            #expect(PathSegment.encode(segment) == Self.reference(segment), "\(segment.debugDescription)")
        }
    }

    @Test("a segment with nothing to encode is returned as it is")
    func unchanged() {
        #expect(PathSegment.encode("01XYZ!abc-_.~") == "01XYZ!abc-_.~")
    }
}
