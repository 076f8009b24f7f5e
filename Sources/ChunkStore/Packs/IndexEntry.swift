/// The index's answer for a chunk: which pack holds it and where.
struct IndexEntry: Hashable, Sendable {
    var pack: PackID
    var offset: UInt32
    var length: UInt32
    var rawLength: UInt32

    init(pack: PackID, entry: PackEntry) {
        self.pack = pack
        self.offset = entry.offset
        self.length = entry.length
        self.rawLength = entry.rawLength
    }

    /// The byte range of the sealed chunk inside its pack.
    var range: Range<Int64> { Int64(offset)..<(Int64(offset) + Int64(length)) }
}
