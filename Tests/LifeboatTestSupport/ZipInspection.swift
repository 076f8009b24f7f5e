import Crypto
import Foundation

/// Reads a zip archive with Python's `zipfile` — an implementation independent of Lifeboat's writer — and reports
/// its members, after checking every member's CRC-32.
public enum ZipInspection {
    /// One member as Python read it.
    public struct Member: Sendable, Hashable {
        public var name: String
        public var size: Int
        /// SHA-256 of the member's bytes, lower-case hex.
        public var sha256: String
    }

    /// Failures of the inspection itself.
    public enum Failure: Error, CustomStringConvertible {
        case pythonMissing
        case rejected(String)

        public var description: String {
            switch self {
            case .pythonMissing: "python3 is not installed"
            case .rejected(let output): "python's zipfile rejected the archive: \(output)"
            }
        }
    }

    /// Whether `python3` is on PATH (tests that need it are skipped otherwise).
    public static var isAvailable: Bool { ExternalTool.python3 != nil }

    /// The members of the archive at `url`, in archive order; throws when Python cannot read it or a CRC is wrong.
    public static func members(ofArchiveAt url: URL) async throws -> [Member] {
        guard let python3 = ExternalTool.python3 else { throw Failure.pythonMissing }
        let script = """
            import hashlib, json, sys, zipfile
            with zipfile.ZipFile(sys.argv[1]) as archive:
                bad = archive.testzip()
                if bad is not None:
                    sys.exit(f"CRC mismatch in {bad!r}")
                members = []
                for info in archive.infolist():
                    digest = hashlib.sha256()
                    with archive.open(info) as member:
                        for block in iter(lambda: member.read(1 << 20), b""):
                            digest.update(block)
                    members.append({"name": info.filename, "size": info.file_size, "sha256": digest.hexdigest()})
                print(json.dumps(members))
            """
        let (status, output) = try await ExternalTool.run(python3, ["-c", script, url.path], in: url.deletingLastPathComponent())
        guard status == 0, let line = output.split(separator: "\n").last,
            let decoded = try? JSONDecoder().decode([DecodedMember].self, from: Data(line.utf8))
        else { throw Failure.rejected(output) }
        return decoded.map { Member(name: $0.name, size: $0.size, sha256: $0.sha256) }
    }

    /// SHA-256 of bytes, lower-case hex, to compare with `Member.sha256`.
    public static func sha256(_ bytes: [UInt8]) -> String {
        SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined()
    }

    private struct DecodedMember: Decodable {
        var name: String
        var size: Int
        var sha256: String
    }
}
