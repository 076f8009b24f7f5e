import Foundation
import NIOCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// An `ObjectStore` kept in a local directory, one file per object.
///
/// `put` writes a hidden temporary file in the target directory, fsyncs it, links it into place
/// (or renames it where hard links are unsupported) and fsyncs the directory, so an object is either
/// absent or complete and durable. Temporary files (names starting with `.`) are never listed.
public struct LocalDirectoryStore: ObjectStore {
    /// The absolute path of the directory holding the objects.
    public let root: String

    /// Opens (creating when missing) the directory at `path` as an object store.
    ///
    /// Throws `ChunkStoreError.io` when the directory cannot be created.
    public init(path: String) throws {
        var absolute = path
        if !absolute.hasPrefix("/") {
            absolute = FileManager.default.currentDirectoryPath + "/" + absolute
        }
        while absolute.count > 1 && absolute.hasSuffix("/") { absolute.removeLast() }
        self.root = absolute
        try Self.makeDirectories(absolute)
    }

    public func put(key: String, data: ByteBuffer) async throws {
        try await BlockingIO.run { try self.writeObject(key: key, data: data) }
    }

    /// `put`'s blocking part: temporary file, write, fsync, link into place, fsync the directory.
    private func writeObject(key: String, data: ByteBuffer) throws {
        let path = try self.path(for: key)
        let directory = Self.parent(of: path)
        try Self.makeDirectories(directory)
        let temporary = directory + "/.tmp-" + UUID().uuidString
        var keepTemporary = false
        defer { if !keepTemporary { _ = unlink(temporary) } }

        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw ChunkStoreError.io(operation: "open", path: temporary, errno: errno) }
        do {
            try Self.writeAll(fd: fd, data: data, path: temporary)
            guard fsync(fd) == 0 else { throw ChunkStoreError.io(operation: "fsync", path: temporary, errno: errno) }
        } catch {
            close(fd)
            throw error
        }
        guard close(fd) == 0 else { throw ChunkStoreError.io(operation: "close", path: temporary, errno: errno) }

        // A hard link fails with EEXIST instead of replacing, which makes write-once atomic even with racing writers.
        if link(temporary, path) == 0 {
            try Self.fsyncDirectory(directory)
            return
        }
        let linkErrno = errno
        switch linkErrno {
        case EEXIST:
            try Self.requireIdenticalContent(path: path, key: key, data: data)
        case EPERM, EXDEV, EMLINK, ENOTSUP, EOPNOTSUPP:
            // File systems without hard links: check, then rename (a racing writer of the same key may win; content is content-addressed).
            if access(path, F_OK) == 0 {
                try Self.requireIdenticalContent(path: path, key: key, data: data)
                return
            }
            guard rename(temporary, path) == 0 else {
                throw ChunkStoreError.io(operation: "rename", path: path, errno: errno)
            }
            keepTemporary = true
            try Self.fsyncDirectory(directory)
        default:
            throw ChunkStoreError.io(operation: "link", path: path, errno: linkErrno)
        }
    }

    public func get(key: String, range: Range<Int64>?) async throws -> ByteBuffer {
        let path = try self.path(for: key)
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            let code = errno
            if code == ENOENT || code == ENOTDIR { throw ChunkStoreError.objectNotFound(key) }
            throw ChunkStoreError.io(operation: "open", path: path, errno: code)
        }
        defer { close(fd) }
        let size = try Self.size(fd: fd, path: path)
        let wanted = range ?? 0..<size
        guard wanted.lowerBound >= 0, wanted.upperBound <= size else {
            throw ChunkStoreError.rangeNotSatisfiable(
                key: key, lowerBound: wanted.lowerBound, upperBound: wanted.upperBound, size: size)
        }
        return try Self.read(fd: fd, path: path, range: wanted)
    }

    public func head(key: String) async throws -> ObjectInfo? {
        let path = try self.path(for: key)
        var info = stat()
        guard stat(path, &info) == 0 else {
            let code = errno
            if code == ENOENT || code == ENOTDIR { return nil }
            throw ChunkStoreError.io(operation: "stat", path: path, errno: code)
        }
        guard (info.st_mode & S_IFMT) == S_IFREG else { return nil }
        return ObjectInfo(key: key, size: Int64(info.st_size))
    }

    public func list(prefix: String) async throws -> [ObjectInfo] {
        // Walk only the deepest directory the prefix names, so listing `packs/ab/` does not visit every pack.
        let directoryPart: String
        if let slash = prefix.lastIndex(of: "/") {
            directoryPart = String(prefix[..<slash])
        } else {
            directoryPart = ""
        }
        if !directoryPart.isEmpty { _ = try self.path(for: directoryPart) }
        let start = directoryPart.isEmpty ? root : root + "/" + directoryPart
        var results: [ObjectInfo] = []
        try Self.walk(directory: start, relative: directoryPart) { key, size in
            if key.hasPrefix(prefix) { results.append(ObjectInfo(key: key, size: size)) }
        }
        results.sort { $0.key < $1.key }
        return results
    }

    public func delete(key: String) async throws {
        let path = try self.path(for: key)
        if unlink(path) != 0 {
            let code = errno
            if code == ENOENT || code == ENOTDIR { return }
            throw ChunkStoreError.io(operation: "unlink", path: path, errno: code)
        }
        try Self.fsyncDirectory(Self.parent(of: path))
    }

    // MARK: - Paths

    func path(for key: String) throws -> String {
        try ObjectKey.validate(key)
        return root + "/" + key
    }

    static func parent(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/"), slash != path.startIndex else { return "/" }
        return String(path[..<slash])
    }

    static func makeDirectories(_ path: String) throws {
        var info = stat()
        if stat(path, &info) == 0 {
            guard (info.st_mode & S_IFMT) == S_IFDIR else {
                throw ChunkStoreError.io(operation: "mkdir (not a directory)", path: path, errno: ENOTDIR)
            }
            return
        }
        let parent = parent(of: path)
        if parent != path { try makeDirectories(parent) }
        if mkdir(path, 0o700) != 0 {
            let code = errno
            if code == EEXIST { return }
            throw ChunkStoreError.io(operation: "mkdir", path: path, errno: code)
        }
        // The new directory entry itself must be durable, or a crash could lose every object below it.
        try fsyncDirectory(parent)
    }

    static func fsyncDirectory(_ path: String) throws {
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw ChunkStoreError.io(operation: "open directory", path: path, errno: errno) }
        defer { close(fd) }
        guard fsync(fd) == 0 else { throw ChunkStoreError.io(operation: "fsync directory", path: path, errno: errno) }
    }

    // MARK: - File I/O

    static func writeAll(fd: Int32, data: ByteBuffer, path: String) throws {
        try data.withUnsafeReadableBytes { bytes in
            var offset = 0
            while offset < bytes.count {
                let written = write(fd, bytes.baseAddress! + offset, bytes.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    throw ChunkStoreError.io(operation: "write", path: path, errno: errno)
                }
                offset += written
            }
        }
    }

    static func size(fd: Int32, path: String) throws -> Int64 {
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw ChunkStoreError.io(operation: "fstat", path: path, errno: errno) }
        return Int64(info.st_size)
    }

    static func read(fd: Int32, path: String, range: Range<Int64>) throws -> ByteBuffer {
        let count = Int(range.count)
        var buffer = ByteBufferAllocator().buffer(capacity: count)
        guard count > 0 else { return buffer }
        try buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: count) { target in
            var done = 0
            while done < count {
                let got = pread(fd, target.baseAddress! + done, count - done, off_t(range.lowerBound) + off_t(done))
                if got < 0 {
                    if errno == EINTR { continue }
                    throw ChunkStoreError.io(operation: "pread", path: path, errno: errno)
                }
                if got == 0 { throw ChunkStoreError.io(operation: "pread (file shrank)", path: path, errno: EIO) }
                done += got
            }
            return count
        }
        return buffer
    }

    static func requireIdenticalContent(path: String, key: String, data: ByteBuffer) throws {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw ChunkStoreError.io(operation: "open", path: path, errno: errno) }
        defer { close(fd) }
        let size = try size(fd: fd, path: path)
        guard size == Int64(data.readableBytes) else { throw ChunkStoreError.objectConflict(key) }
        let block: Int64 = 1 << 20
        var offset: Int64 = 0
        while offset < size {
            let end = min(offset + block, size)
            let existing = try read(fd: fd, path: path, range: offset..<end)
            guard let expected = data.getSlice(at: data.readerIndex + Int(offset), length: Int(end - offset)),
                existing == expected
            else { throw ChunkStoreError.objectConflict(key) }
            offset = end
        }
    }

    /// The names in `directory` other than `.` and `..`; none when it does not exist.
    static func entryNames(in directory: String) throws -> [String] {
        guard let handle = opendir(directory) else {
            let code = errno
            if code == ENOENT || code == ENOTDIR { return [] }
            throw ChunkStoreError.io(operation: "opendir", path: directory, errno: code)
        }
        defer { closedir(handle) }
        var names: [String] = []
        while let entry = readdir(handle) {
            let name = withUnsafePointer(to: entry.pointee.d_name) {
                $0.withMemoryRebound(to: CChar.self, capacity: Int(NAME_MAX) + 1) { String(cString: $0) }
            }
            if name != ".", name != ".." { names.append(name) }
        }
        return names
    }

    static func walk(directory: String, relative: String, visit: (String, Int64) throws -> Void) throws {
        // Hidden names are temporary files (and `.`, `..`), never objects.
        for name in try entryNames(in: directory) where !name.hasPrefix(".") {
            let path = directory + "/" + name
            let key = relative.isEmpty ? name : relative + "/" + name
            var info = stat()
            guard lstat(path, &info) == 0 else { continue }
            switch info.st_mode & S_IFMT {
            case S_IFDIR: try walk(directory: path, relative: key, visit: visit)
            case S_IFREG: try visit(key, Int64(info.st_size))
            default: continue
            }
        }
    }
}
