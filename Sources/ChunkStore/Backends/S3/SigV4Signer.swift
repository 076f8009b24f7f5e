import Crypto
import Foundation
import NIOCore

/// Signs HTTP requests with AWS Signature Version 4 (header-based, `AWS4-HMAC-SHA256`).
///
/// The caller supplies the already URI-encoded path, the raw query parameters, every header to sign
/// (including `host`, `x-amz-date` and `x-amz-content-sha256`) and the payload's SHA-256 in hex;
/// the signer returns the `Authorization` header value. Pure and deterministic for a given date.
public struct SigV4Signer: Sendable {
    /// The access key id, sent in the clear as part of the credential scope.
    public let accessKeyID: String
    let secretAccessKey: String
    /// The region the signature is scoped to, e.g. `us-east-1`.
    public let region: String
    /// The service the signature is scoped to, `s3` for object storage.
    public let service: String

    /// Creates a signer for one set of credentials, scoped to `region` and `service`.
    public init(accessKeyID: String, secretAccessKey: String, region: String, service: String = "s3") {
        self.accessKeyID = accessKeyID
        self.secretAccessKey = secretAccessKey
        self.region = region
        self.service = service
    }

    /// The SHA-256 of an empty payload in hex, used for bodiless requests.
    public static let emptyPayloadHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

    /// Returns the `Authorization` header value for a request.
    ///
    /// `headers` must contain every header that is sent and should be signed, with `x-amz-date` equal to
    /// `SigV4Signer.timestamp(date)`; names are compared case-insensitively.
    public func authorization(
        method: String, encodedPath: String, query: [(String, String)], headers: [(String, String)],
        payloadHash: String, date: Date
    ) -> String {
        let (canonical, signedHeaders) = Self.canonicalRequest(
            method: method, encodedPath: encodedPath, query: query, headers: headers, payloadHash: payloadHash)
        let day = Self.day(date)
        let scope = "\(day)/\(region)/\(service)/aws4_request"
        let stringToSign = [
            "AWS4-HMAC-SHA256", Self.timestamp(date), scope, Self.hex(SHA256.hash(data: Data(canonical.utf8))),
        ].joined(separator: "\n")
        let signature = Self.hex(HMAC<SHA256>.authenticationCode(for: Data(stringToSign.utf8), using: signingKey(day: day)))
        return "AWS4-HMAC-SHA256 Credential=\(accessKeyID)/\(scope), SignedHeaders=\(signedHeaders), Signature=\(signature)"
    }

    /// The canonical request and its `SignedHeaders` list, exposed for tests and diagnostics.
    static func canonicalRequest(
        method: String, encodedPath: String, query: [(String, String)], headers: [(String, String)], payloadHash: String
    ) -> (request: String, signedHeaders: String) {
        let encoded: [(name: String, value: String)] = query.map {
            (uriEncode($0.0, encodeSlash: true), uriEncode($0.1, encodeSlash: true))
        }
        let sorted = encoded.sorted { left, right in
            left.name == right.name ? left.value < right.value : left.name < right.name
        }
        let canonicalQuery = sorted.map { $0.name + "=" + $0.value }.joined(separator: "&")
        var merged: [String: [String]] = [:]
        for (name, value) in headers {
            merged[name.lowercased(), default: []].append(trimmed(value))
        }
        let names = merged.keys.sorted()
        let canonicalHeaders = names.map { "\($0):\(merged[$0]!.joined(separator: ","))\n" }.joined()
        let signedHeaders = names.joined(separator: ";")
        let request = [
            method, encodedPath.isEmpty ? "/" : encodedPath, canonicalQuery, canonicalHeaders, signedHeaders, payloadHash,
        ].joined(separator: "\n")
        return (request, signedHeaders)
    }

    func signingKey(day: String) -> SymmetricKey {
        var key = SymmetricKey(data: Data("AWS4\(secretAccessKey)".utf8))
        for part in [day, region, service, "aws4_request"] {
            key = SymmetricKey(data: Data(HMAC<SHA256>.authenticationCode(for: Data(part.utf8), using: key)))
        }
        return key
    }

    /// Percent-encodes everything except the RFC 3986 unreserved characters (and `/` unless `encodeSlash`).
    public static func uriEncode(_ value: String, encodeSlash: Bool) -> String {
        var result = ""
        for byte in value.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
                UInt8(ascii: "~"):
                result.unicodeScalars.append(Unicode.Scalar(byte))
            case UInt8(ascii: "/") where !encodeSlash:
                result.append("/")
            default:
                result += "%" + String(byte, radix: 16, uppercase: true).leftPadded(to: 2)
            }
        }
        return result
    }

    /// The `x-amz-date` form of `date`: `yyyyMMdd'T'HHmmss'Z'` in UTC.
    public static func timestamp(_ date: Date) -> String {
        let parts = utcComponents(date)
        return String(format: "%04d%02d%02dT%02d%02d%02dZ", parts.year!, parts.month!, parts.day!, parts.hour!, parts.minute!, parts.second!)
    }

    static func day(_ date: Date) -> String {
        String(timestamp(date).prefix(8))
    }

    static func utcComponents(_ date: Date) -> DateComponents {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
    }

    /// The lower-case hex SHA-256 of `bytes`, the form `x-amz-content-sha256` and `x-amz-meta-sha256` carry.
    public static func sha256Hex(_ bytes: ByteBuffer) -> String {
        hex(SHA256.hash(data: bytes.readableBytesView))
    }

    /// Lower-case hex of a digest or MAC.
    static func hex<Bytes: Sequence>(_ bytes: Bytes) -> String where Bytes.Element == UInt8 {
        bytes.map { String($0, radix: 16).leftPadded(to: 2) }.joined()
    }

    static func trimmed(_ value: String) -> String {
        value.split(whereSeparator: { $0 == " " || $0 == "\t" }).joined(separator: " ")
    }
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
