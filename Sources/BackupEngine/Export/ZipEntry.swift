import Foundation
import NIOCore

/// One file or directory to put in a ZIP archive written by `ZipArchiveWriter`.
public struct ZipEntry: Sendable {
    /// Where the entry lands when the archive is extracted, relative to the extraction directory.
    ///
    /// `/` separates components; `\` is treated as a separator too (Windows tools would), and empty and `.`
    /// components are dropped. Paths that could escape the extraction directory are rejected rather than
    /// rewritten (zip-slip): absolute paths, drive letters (`C:`), any `..` component, NUL characters and paths
    /// with no component left. The writer then fails with `ZipArchiveError.unsafePath`, so an exporter bug is
    /// noticed instead of silently merging files. Duplicate paths are not detected.
    public var path: String
    /// Modification time; stored as MS-DOS local time taken in UTC (2-second resolution, clamped to 1980...2107)
    /// and as an extended timestamp (seconds since 1970, clamped to 1970...2038).
    public var modified: Date
    /// Whether this is a directory; directories have no content and get a trailing `/` in the archive.
    public var isDirectory: Bool
    /// The file's bytes, or nil for an empty file; ignored for directories.
    ///
    /// Iterated once, when the writer reaches this entry, and only as fast as the archive's consumer reads;
    /// it should start its work (a download, chunk reads) on its first `next()`, not when it is created.
    /// An error it throws ends the archive stream with that error.
    public var content: (any AsyncSequence<ByteBuffer, any Error> & Sendable)?

    /// An entry with every field given.
    public init(
        path: String,
        modified: Date,
        isDirectory: Bool = false,
        content: (any AsyncSequence<ByteBuffer, any Error> & Sendable)? = nil
    ) {
        self.path = path
        self.modified = modified
        self.isDirectory = isDirectory
        self.content = isDirectory ? nil : content
    }

    /// A file whose bytes come from `content`, whatever its failure type (`AsyncStream` included).
    public static func file<Content: AsyncSequence & Sendable>(
        _ path: String,
        modified: Date,
        content: Content
    ) -> ZipEntry where Content.Element == ByteBuffer {
        ZipEntry(path: path, modified: modified, content: UntypedFailure(base: content))
    }

    /// A directory; needed only for empty directories, since extractors create parents of files themselves.
    public static func directory(_ path: String, modified: Date) -> ZipEntry {
        ZipEntry(path: path, modified: modified, isDirectory: true)
    }

    /// The name as stored in the archive: normalized `path`, with a trailing `/` for directories.
    ///
    /// Throws `ZipArchiveError.unsafePath` or `.pathTooLong`; see `path` for the rules.
    func archiveName() throws(ZipArchiveError) -> String {
        if path.first == "/" || path.first == "\\" || path.contains("\0") {
            throw .unsafePath(path)
        }
        var components: [Substring] = []
        for component in path.split(whereSeparator: { $0 == "/" || $0 == "\\" }) {
            switch component {
            case ".": continue
            case "..": throw .unsafePath(path)
            default: components.append(component)
            }
        }
        guard let first = components.first else { throw .unsafePath(path) }
        // "C:" (and "C:foo") would be drive-relative on Windows.
        if first.count >= 2, first.dropFirst().first == ":", first.first!.isLetter {
            throw .unsafePath(path)
        }
        let name = components.joined(separator: "/") + (isDirectory ? "/" : "")
        guard name.utf8.count <= Int(UInt16.max) else { throw .pathTooLong(path) }
        return name
    }
}

/// Presents any byte sequence with `any Error` as its failure, the type `ZipEntry.content` holds.
private struct UntypedFailure<Base: AsyncSequence & Sendable>: AsyncSequence, Sendable where Base.Element == ByteBuffer {
    typealias Element = ByteBuffer
    typealias Failure = any Error
    let base: Base

    struct AsyncIterator: AsyncIteratorProtocol {
        var base: Base.AsyncIterator

        mutating func next() async throws -> ByteBuffer? {
            try await base.next(isolation: nil)
        }

        mutating func next(isolation actor: isolated (any Actor)?) async throws -> ByteBuffer? {
            try await base.next(isolation: actor)
        }
    }

    func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(base: base.makeAsyncIterator())
    }
}

/// Why a ZIP archive could not be written; content and entry-sequence errors pass through unchanged.
public enum ZipArchiveError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The entry path could escape the extraction directory or names nothing (see `ZipEntry.path`).
    case unsafePath(String)
    /// The entry path is longer than the 65,535 UTF-8 bytes a ZIP name can hold.
    case pathTooLong(String)

    public var description: String {
        switch self {
        case .unsafePath(let path):
            return "The export path \"\(path)\" is absolute, contains \"..\" or is empty, so it cannot go in a ZIP archive."
        case .pathTooLong(let path):
            return "The export path \"\(path.prefix(80))…\" is longer than a ZIP archive allows (65,535 bytes)."
        }
    }
}
