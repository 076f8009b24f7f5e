import NIOCore
import QuickXorHash
import Synchronization

/// Wraps a byte stream so that its quickXorHash and length are computed while it is consumed.
///
/// The digest is read from `digest` after the consumer finished the stream; the state lives in a `Mutex`
/// because the stream is consumed by another task (the repository writer).
struct HashingContent<Base: AsyncSequence & Sendable>: AsyncSequence, Sendable where Base.Element == ByteBuffer {
    typealias Element = ByteBuffer

    final class Digest: Sendable {
        private let state = Mutex((hasher: QuickXorHasher(), length: Int64(0)))

        func update(_ buffer: ByteBuffer) {
            state.withLock { state in
                buffer.withUnsafeReadableBytes { state.hasher.update($0) }
                state.length += Int64(buffer.readableBytes)
            }
        }

        /// Base64 quickXorHash of everything seen.
        var quickXorHash: String { state.withLock { $0.hasher.finalizeBase64() } }
        /// Bytes seen.
        var length: Int64 { state.withLock { $0.length } }
    }

    let base: Base
    let digest = Digest()

    init(_ base: Base) {
        self.base = base
    }

    struct AsyncIterator: AsyncIteratorProtocol {
        var base: Base.AsyncIterator
        let digest: Digest

        mutating func next() async throws -> ByteBuffer? {
            guard let buffer = try await base.next() else { return nil }
            digest.update(buffer)
            return buffer
        }
    }

    func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(base: base.makeAsyncIterator(), digest: digest)
    }
}
