#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import NIOCore

/// Zstandard through the system's shared `libzstd`, loaded at run time.
///
/// No zstd Swift package is available to this build and the C headers are not installed, but the library itself is
/// on every Debian and Ubuntu system (apt depends on it). So the five entry points Lifeboat needs are looked up with
/// `dlopen`/`dlsym` once per process; `shared` is nil when the library is missing, and the sealer then writes zlib.
/// The functions used are part of zstd's stable API (unchanged since 1.0): one-shot compress and decompress of a
/// whole frame, with the decompressed size known to the caller.
struct ZstdLibrary: Sendable {
    private typealias CompressBound = @convention(c) (Int) -> Int
    private typealias Compress = @convention(c) (UnsafeMutableRawPointer?, Int, UnsafeRawPointer?, Int, Int32) -> Int
    private typealias Decompress = @convention(c) (UnsafeMutableRawPointer?, Int, UnsafeRawPointer?, Int) -> Int
    private typealias IsError = @convention(c) (Int) -> UInt32
    private typealias ErrorName = @convention(c) (Int) -> UnsafePointer<CChar>?

    private let compressBound: CompressBound
    private let compressFrame: Compress
    private let decompressFrame: Decompress
    private let isError: IsError
    private let errorName: ErrorName

    /// The process's zstd, or nil when no `libzstd` can be loaded.
    static let shared: ZstdLibrary? = ZstdLibrary()

    /// The level Lifeboat compresses chunks at (zstd's default: fast, and a better ratio than zlib's level 6).
    static let chunkLevel: Int32 = 3

    private init?() {
        let names = ["libzstd.so.1", "libzstd.so", "libzstd.1.dylib", "libzstd.dylib"]
        guard let handle = names.lazy.compactMap({ dlopen($0, RTLD_NOW | RTLD_LOCAL) }).first else { return nil }
        func symbol<Function>(_ name: String, as type: Function.Type) -> Function? {
            guard let pointer = dlsym(handle, name) else { return nil }
            return unsafeBitCast(pointer, to: type)
        }
        guard let compressBound = symbol("ZSTD_compressBound", as: CompressBound.self),
            let compressFrame = symbol("ZSTD_compress", as: Compress.self),
            let decompressFrame = symbol("ZSTD_decompress", as: Decompress.self),
            let isError = symbol("ZSTD_isError", as: IsError.self),
            let errorName = symbol("ZSTD_getErrorName", as: ErrorName.self)
        else { return nil }
        self.compressBound = compressBound
        self.compressFrame = compressFrame
        self.decompressFrame = decompressFrame
        self.isError = isError
        self.errorName = errorName
    }

    /// Appends `source` compressed as one zstd frame to `output`; returns the compressed size.
    func compress(_ source: UnsafeRawBufferPointer, level: Int32, into output: inout ByteBuffer) throws -> Int {
        let bound = compressBound(source.count)
        var result = 0
        output.writeWithUnsafeMutableBytes(minimumWritableBytes: bound) { target in
            result = compressFrame(target.baseAddress, target.count, source.baseAddress, source.count, level)
            // An error is a huge size_t (negative here): write nothing rather than move the writer index by it.
            return isError(result) == 0 ? result : 0
        }
        guard isError(result) == 0 else { throw ZstdError(reason: describe(result)) }
        return result
    }

    /// Decompresses one zstd frame of exactly `rawLength` bytes into `output`; throws when the frame is damaged or
    /// its size differs.
    func decompress(_ source: UnsafeRawBufferPointer, rawLength: Int, into output: inout ByteBuffer) throws {
        var result = 0
        output.writeWithUnsafeMutableBytes(minimumWritableBytes: rawLength) { target in
            result = decompressFrame(target.baseAddress, rawLength, source.baseAddress, source.count)
            return isError(result) == 0 ? result : 0
        }
        guard isError(result) == 0 else { throw ZstdError(reason: describe(result)) }
        guard result == rawLength else { throw ZstdError(reason: "decoded \(result) bytes, expected \(rawLength)") }
    }

    private func describe(_ code: Int) -> String {
        errorName(code).map { String(cString: $0) } ?? "zstd error \(code)"
    }
}

/// A zstd call failed; `reason` is the library's error name.
struct ZstdError: Error, Sendable {
    var reason: String
}
