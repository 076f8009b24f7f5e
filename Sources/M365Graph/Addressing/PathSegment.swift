import Foundation

/// Percent-encoding of one URL path segment, as `addingPercentEncoding(withAllowedCharacters:)` does with
/// `.urlPathAllowed` minus `/`, `?` and `#`, without building a `CharacterSet` per call.
///
/// Every request a backup makes names a drive and an item this way, thousands per second; the common id (ASCII letters,
/// digits, `!`, `-`) is returned as it is, without a copy.
enum PathSegment {
    /// Whether each ASCII byte may stand unencoded in a segment.
    private static let allowed: [Bool] = {
        var set = CharacterSet.urlPathAllowed
        set.remove(charactersIn: "/?#")
        return (0..<128).map { set.contains(Unicode.Scalar(UInt8($0))) }
    }()

    /// `segment` with every byte of its UTF-8 that is not allowed written as `%XX` (upper-case hex).
    static func encode(_ segment: String) -> String {
        let table = allowed
        guard segment.utf8.contains(where: { $0 >= 128 || !table[Int($0)] }) else { return segment }
        let hex = Array("0123456789ABCDEF".utf8)
        var encoded: [UInt8] = []
        encoded.reserveCapacity(segment.utf8.count * 3)
        for byte in segment.utf8 {
            if byte < 128, table[Int(byte)] {
                encoded.append(byte)
            } else {
                encoded += [UInt8(ascii: "%"), hex[Int(byte >> 4)], hex[Int(byte & 0x0F)]]
            }
        }
        return String(decoding: encoded, as: UTF8.self)
    }
}

extension String {
    /// Percent-encoding for one path segment.
    var pathEncoded: String { PathSegment.encode(self) }
}
