/// The in-memory index value: 16 bytes per chunk (pack number into the repository's pack list, offset, lengths).
struct ChunkLocation: Sendable, Hashable {
    /// The pack number reserved for the open (not yet sealed) pack.
    static let openPack = UInt32.max

    var pack: UInt32
    var offset: UInt32
    var length: UInt32
    var rawLength: UInt32

    init(pack: UInt32, entry: PackEntry) {
        self.pack = pack
        self.offset = entry.offset
        self.length = entry.length
        self.rawLength = entry.rawLength
    }
}
