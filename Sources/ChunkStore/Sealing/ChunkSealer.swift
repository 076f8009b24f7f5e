import CompressNIO
import Crypto
import Foundation
import NIOCore
import NIOFoundationCompat

/// Turns plaintext chunks into sealed ones and back: id, compression, AES-256-GCM.
///
/// Sealed chunk layout: nonce (12) ‖ ciphertext ‖ tag (16); the plaintext under encryption is
/// one compression byte (`ChunkCompression`) then the payload; the chunk id is the associated data,
/// so a chunk cannot be swapped for another. Stateless and `Sendable`: use it from any task.
struct ChunkSealer: Sendable {
    let keys: RepositoryKeys

    /// Overhead that sealing adds besides compression: nonce, tag and the compression byte.
    static let overhead = 12 + 16 + 1

    /// Compression is kept only when it saves at least this fraction of the chunk.
    static let minimumSavings = 0.05

    /// Bytes of a chunk compressed first, at the fastest level, to tell incompressible content (JPEG, zip containers,
    /// PDF streams, encrypted or random data) without paying for compressing all of it.
    static let probeSize = 32 << 10

    /// A probe must shrink by this much for the whole chunk to be compressed.
    static let probeSavings = 0.10

    /// HMAC-SHA-256 of the plaintext under the id key.
    func chunkID(of plaintext: ByteBuffer) -> ChunkID {
        let code = HMAC<SHA256>.authenticationCode(for: plaintext.readableBytesView, using: keys.chunkID)
        return ChunkID(bytes: Array(code))
    }

    /// Compresses (when worthwhile) and encrypts one chunk; returns nonce ‖ ciphertext ‖ tag.
    ///
    /// A chunk from `Chunker` carries a spare byte before its first readable byte (`Chunker.reservesMarker`); an
    /// incompressible chunk is then encrypted in place of a copy, with that byte as its compression marker.
    func seal(_ plaintext: ByteBuffer, id: ChunkID) throws -> Data {
        if plaintext.readableBytes >= 64, try Self.looksCompressible(plaintext),
            let compressed = try Self.compress(plaintext)
        {
            return try encrypt(compressed.readableBytesView, id: id)
        }
        if let marked = try sealMarked(plaintext, id: id) { return marked }
        var inner = ByteBufferAllocator().buffer(capacity: plaintext.readableBytes + 1)
        inner.writeInteger(ChunkCompression.none.rawValue)
        inner.writeImmutableBuffer(plaintext)
        return try encrypt(inner.readableBytesView, id: id)
    }

    /// Seals an uncompressed chunk whose buffer holds a zero marker byte just before its readable bytes; nil otherwise.
    private func sealMarked(_ plaintext: ByteBuffer, id: ChunkID) throws -> Data? {
        let start = plaintext.readerIndex
        guard start > 0 else { return nil }
        return try plaintext.withVeryUnsafeBytes { storage -> Data? in
            guard storage[start - 1] == ChunkCompression.none.rawValue else { return nil }
            return try encrypt(UnsafeRawBufferPointer(rebasing: storage[(start - 1)..<plaintext.writerIndex]), id: id)
        }
    }

    private func encrypt<Bytes: DataProtocol>(_ inner: Bytes, id: ChunkID) throws -> Data {
        try AES.GCM.seal(inner, using: keys.encryption, authenticating: id.bytes).combined!
    }

    /// The compression marker followed by the compressed chunk, or nil when compression saves less than
    /// `minimumSavings`. zstd when the system has it, zlib otherwise.
    static func compress(_ plaintext: ByteBuffer) throws -> ByteBuffer? {
        var output: ByteBuffer
        if let zstd = ZstdLibrary.shared {
            output = ByteBufferAllocator().buffer(capacity: plaintext.readableBytes + plaintext.readableBytes / 64 + 1024)
            output.writeInteger(ChunkCompression.zstd.rawValue)
            try plaintext.withUnsafeReadableBytes { source in
                do {
                    _ = try zstd.compress(source, level: ZstdLibrary.chunkLevel, into: &output)
                } catch let error as ZstdError {
                    throw ChunkStoreError.compressionFailed(algorithm: "zstd", reason: error.reason)
                }
            }
        } else {
            var input = plaintext
            var compressed = try input.compress(
                with: .zlib(configuration: ZlibConfiguration(compressionLevel: .compressionLevel3)))
            output = ByteBufferAllocator().buffer(capacity: compressed.readableBytes + 1)
            output.writeInteger(ChunkCompression.zlib.rawValue)
            output.writeBuffer(&compressed)
        }
        let limit = Double(plaintext.readableBytes) * (1 - minimumSavings)
        return Double(output.readableBytes - 1) <= limit ? output : nil
    }

    /// Whether compressing a sample of the chunk at the fastest level saves `probeSavings`; a chunk smaller than the
    /// probe is its own sample. Costs a few percent of compressing a 1 MiB chunk, and saves all of it for the
    /// already-compressed content that makes up most of a Microsoft 365 tenant.
    static func looksCompressible(_ plaintext: ByteBuffer) throws -> Bool {
        guard plaintext.readableBytes > probeSize else { return true }
        var sample = plaintext.getSlice(at: plaintext.readerIndex, length: probeSize)!
        let compressedSize: Int
        if let zstd = ZstdLibrary.shared {
            var output = ByteBufferAllocator().buffer(capacity: probeSize + 1024)
            compressedSize = try sample.withUnsafeReadableBytes { source in
                do {
                    return try zstd.compress(source, level: 1, into: &output)
                } catch let error as ZstdError {
                    throw ChunkStoreError.compressionFailed(algorithm: "zstd", reason: error.reason)
                }
            }
        } else {
            compressedSize = try sample.compress(
                with: .zlib(configuration: ZlibConfiguration(compressionLevel: .fastestCompression))
            ).readableBytes
        }
        return Double(compressedSize) <= Double(probeSize) * (1 - probeSavings)
    }

    /// Decrypts, decompresses and verifies one chunk; throws `ChunkStoreError.corruptChunk` on any mismatch.
    func open(_ sealed: ByteBuffer, id: ChunkID, rawLength: Int) throws -> ByteBuffer {
        let inner: Data
        do {
            let box = try AES.GCM.SealedBox(combined: sealed.readableBytesView)
            inner = try AES.GCM.open(box, using: keys.encryption, authenticating: id.bytes)
        } catch {
            throw ChunkStoreError.corruptChunk(id: id.hex, reason: "authentication failed")
        }
        var buffer = ByteBuffer(data: inner)
        guard let byte = buffer.readInteger(as: UInt8.self), let compression = ChunkCompression(rawValue: byte) else {
            throw ChunkStoreError.corruptChunk(id: id.hex, reason: "unknown compression")
        }
        let plaintext: ByteBuffer
        switch compression {
        case .none:
            plaintext = buffer
        case .zlib:
            var output = ByteBufferAllocator().buffer(capacity: rawLength + 64)
            do {
                try buffer.decompress(to: &output, with: .zlib())
            } catch {
                throw ChunkStoreError.corruptChunk(id: id.hex, reason: "decompression failed: \(error)")
            }
            plaintext = output
        case .zstd:
            guard let zstd = ZstdLibrary.shared else { throw ChunkStoreError.compressionUnavailable(algorithm: "zstd") }
            var output = ByteBufferAllocator().buffer(capacity: rawLength)
            try buffer.withUnsafeReadableBytes { source in
                do {
                    try zstd.decompress(source, rawLength: rawLength, into: &output)
                } catch let error as ZstdError {
                    throw ChunkStoreError.corruptChunk(id: id.hex, reason: "decompression failed: \(error.reason)")
                }
            }
            plaintext = output
        }
        guard plaintext.readableBytes == rawLength else {
            throw ChunkStoreError.corruptChunk(
                id: id.hex, reason: "expected \(rawLength) bytes, decoded \(plaintext.readableBytes)")
        }
        guard HMAC<SHA256>.isValidAuthenticationCode(id.bytes, authenticating: plaintext.readableBytesView, using: keys.chunkID)
        else { throw ChunkStoreError.corruptChunk(id: id.hex, reason: "content does not match its id") }
        return plaintext
    }

    /// Encrypts repository metadata (pack tables, index files) with a label as associated data.
    func sealMetadata(_ plaintext: ByteBuffer, label: String) throws -> ByteBuffer {
        let box = try AES.GCM.seal(plaintext.readableBytesView, using: keys.encryption, authenticating: Array(label.utf8))
        return ByteBuffer(data: box.combined!)
    }

    /// Decrypts metadata sealed with `sealMetadata`; nil when the tag does not verify.
    func openMetadata(_ sealed: ByteBuffer, label: String) -> ByteBuffer? {
        guard let box = try? AES.GCM.SealedBox(combined: sealed.readableBytesView),
            let plaintext = try? AES.GCM.open(box, using: keys.encryption, authenticating: Array(label.utf8))
        else { return nil }
        return ByteBuffer(data: plaintext)
    }
}
