import NIOCore

/// A finished pack blob, ready to upload under `id.objectKey`.
struct SealedPack: Sendable {
    var id: PackID
    var blob: ByteBuffer
    var entries: [PackEntry]
}
