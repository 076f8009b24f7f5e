import Foundation
import SeededRandom
import Synchronization

/// A folder of generated files whose records, like their bytes, are computed from their number whenever they are asked
/// for, so a drive of hundreds of thousands of files costs memory only for the files changed since it was made (a
/// changed file is stored as any other item and hides its computed record) and for each file's quickXorHash once it
/// was read (28 bytes).
///
/// File `i` (from 0) is named `file-<i+1, zero-padded>.bin`, holds between 0 and `maxFileSize` bytes drawn from the
/// seed and `i`, and took change number `firstChange + i` of its drive. When the folder is deleted, its unchanged files
/// become computed tombstones too, file `i` taking change number `deletion.firstChange + i`.
struct BulkFolder: Sendable {
    /// When the folder's unchanged files were deleted (with the folder).
    struct Deletion: Sendable {
        var firstChange: Int
        var at: Date
    }

    let folderID: String
    let fileCount: Int
    let maxFileSize: Int
    let seed: UInt64
    let createdAt: Date
    let firstChange: Int
    let author: Person
    /// Numbers of the files stored as items of their own since they changed; their computed records are hidden.
    private(set) var changed: Set<Int> = []
    private(set) var deletion: Deletion?
    /// `01BULK<ordinal>X<tag>X`, the tag six digits of the folder id's hash (ids stay distinct across drives): no other
    /// item id has a `0`, `1`, `8` or `9` after its first two characters, and the zero-padded number always brings one.
    private let idPrefix: String
    private let nameDigits: Int
    private let hashes: BulkHashes

    /// How every bulk file's id starts.
    static let idMark = "01BULK"
    /// Item ids are 34 characters long, as the simulator's others are.
    private static let idLength = 34

    init(ordinal: Int, folderID: String, fileCount: Int, maxFileSize: Int, seed: UInt64, createdAt: Date, firstChange: Int, author: Person) {
        let folderHash = SimulatedTenant.stableHash(folderID)
        self.folderID = folderID
        self.fileCount = max(0, fileCount)
        self.maxFileSize = max(0, maxFileSize)
        self.seed = seed ^ (folderHash &* 0x94D0_49BB_1331_11EB)
        self.createdAt = createdAt
        self.firstChange = firstChange
        self.author = author
        let tag = String(folderHash % 1_000_000)
        self.idPrefix = "\(Self.idMark)\(ordinal)X" + String(repeating: "0", count: 6 - tag.count) + tag + "X"
        self.nameDigits = max(7, String(self.fileCount).count)
        self.hashes = BulkHashes(count: self.fileCount)
    }

    /// Hides the computed record of the file with this id, if it is one of this folder's: it is stored now.
    mutating func hide(_ id: String) {
        if let index = index(of: id) { changed.insert(index) }
    }

    /// Turns the unchanged files into tombstones, taking change numbers from `firstChange`; returns how many it took.
    mutating func delete(firstChange: Int, at date: Date) -> Int {
        guard deletion == nil else { return 0 }
        deletion = Deletion(firstChange: firstChange, at: date)
        return fileCount
    }

    /// Numbers of the files whose computed record stands (never changed), live or deleted with the folder.
    var unchangedIndices: some Sequence<Int> {
        (0..<fileCount).lazy.filter { !changed.contains($0) }
    }

    /// How many computed files are live (unchanged, the folder not deleted).
    var liveCount: Int { deletion == nil ? fileCount - changed.count : 0 }

    /// The number of the file with this id, if it is one of this folder's.
    func index(of id: String) -> Int? {
        guard id.utf8.count == Self.idLength, id.hasPrefix(idPrefix), let index = Int(id.dropFirst(idPrefix.count)),
            index >= 0, index < fileCount, self.id(at: index) == id
        else { return nil }
        return index
    }

    func id(at index: Int) -> String {
        let number = String(index)
        return idPrefix + String(repeating: "0", count: Self.idLength - idPrefix.count - number.count) + number
    }

    func name(at index: Int) -> String {
        let number = String(index + 1)
        return "file-" + String(repeating: "0", count: max(0, nameDigits - number.count)) + number + ".bin"
    }

    /// The number of the file named `name` (compared case-insensitively, as SharePoint compares names).
    func index(ofName name: String) -> Int? {
        let lowered = name.lowercased()
        guard lowered.hasPrefix("file-"), lowered.hasSuffix(".bin"), let number = Int(lowered.dropFirst(5).dropLast(4)),
            number >= 1, number <= fileCount, self.name(at: number - 1) == lowered
        else { return nil }
        return number - 1
    }

    func size(at index: Int) -> Int {
        var draws = SplitMix64(seed: seed ^ (UInt64(index) &* 0x9E37_79B9_7F4A_7C15))
        return Int(draws.next() % UInt64(maxFileSize + 1))
    }

    func lastChange(at index: Int) -> Int { (deletion?.firstChange ?? firstChange) + index }

    /// Numbers of the files whose change number is above `changeNumber`.
    func indices(changedAfter changeNumber: Int) -> Range<Int> {
        let base = deletion?.firstChange ?? firstChange
        guard changeNumber >= base else { return 0..<fileCount }
        return min(fileCount, changeNumber - base + 1)..<fileCount
    }

    /// The record of file `index` as it was made (or deleted with the folder).
    func record(at index: Int) -> ItemRecord {
        let name = name(at: index)
        let content = GeneratedContent(
            seed: seed ^ SimulatedTenant.stableHash(name), size: size(at: index), hashCache: BulkHashes.Slot(hashes: hashes, index: index))
        var guids = SplitMix64(seed: seed ^ 0x6A09_E667_F3BC_C909 ^ (UInt64(index) &* 0xBF58_476D_1CE4_E5B9))
        return ItemRecord(
            id: id(at: index), guid: guids.guid(), name: name, parentID: folderID, isFolder: false, isRoot: false,
            mimeType: "application/octet-stream",
            versions: [VersionRecord(id: "1.0", content: .generated(content), modifiedAt: createdAt, modifiedBy: author)],
            nextVersionNumber: 2, revision: deletion == nil ? 1 : 2, contentRevision: 1, createdAt: createdAt,
            modifiedAt: deletion?.at ?? createdAt, fileSystemCreatedAt: createdAt, fileSystemModifiedAt: createdAt,
            createdBy: author, modifiedBy: author, lastChange: lastChange(at: index), isDeleted: deletion != nil)
    }
}

/// The base64 quickXorHash of each file of a bulk folder, 28 ASCII bytes apiece, kept once computed (hashing a file means
/// generating all its bytes).
final class BulkHashes: Sendable {
    /// Where one file's hash is kept.
    struct Slot: Sendable {
        let hashes: BulkHashes
        let index: Int

        var hash: String? { hashes.hash(at: index) }
        func remember(_ hash: String) { hashes.remember(hash, at: index) }
    }

    private static let width = 28
    private let storage: Mutex<[UInt8]>

    init(count: Int) {
        storage = Mutex([UInt8](repeating: 0, count: count * Self.width))
    }

    func hash(at index: Int) -> String? {
        storage.withLock { bytes in
            let start = index * Self.width
            guard bytes[start] != 0 else { return nil }
            return String(decoding: bytes[start..<(start + Self.width)], as: UTF8.self)
        }
    }

    func remember(_ hash: String, at index: Int) {
        let utf8 = Array(hash.utf8)
        guard utf8.count == Self.width else { return }
        storage.withLock { bytes in
            bytes.replaceSubrange((index * Self.width)..<((index + 1) * Self.width), with: utf8)
        }
    }
}
