import Foundation
import SeededRandom
import Synchronization

/// A folder of generated files whose records, like their bytes, are computed from their number whenever they are asked
/// for, so a drive of hundreds of thousands of files costs memory only for the files changed since it was made (a
/// changed file is stored as any other item and hides its computed record) and for each file's quickXorHash once read
/// (28 bytes).
///
/// File `i` (from 0) is named `file-<i+1, zero-padded>.bin`, holds between 0 and `maxFileSize` bytes drawn from the
/// seed and `i`, and took change number `firstChange + i` of its drive.
struct BulkFolder: Sendable {
    let folderID: String
    let fileCount: Int
    let maxFileSize: Int
    let seed: UInt64
    let createdAt: Date
    let firstChange: Int
    let author: Person
    /// Numbers of the files stored as items of their own since they changed; their computed records are hidden.
    private(set) var changed: Set<Int> = []
    /// `01BULK<n>X`: no other item id has a `0` after its first two characters, so these cannot collide.
    private let idPrefix: String
    /// How every bulk file's id starts.
    static let idMark = "01BULK"
    private let nameDigits: Int
    private let hashes: BulkHashes

    /// Item ids are 34 characters long, as the simulator's others are.
    private static let idLength = 34

    init(ordinal: Int, folderID: String, fileCount: Int, maxFileSize: Int, seed: UInt64, createdAt: Date, firstChange: Int, author: Person) {
        self.folderID = folderID
        self.fileCount = max(0, fileCount)
        self.maxFileSize = max(0, maxFileSize)
        self.seed = seed
        self.createdAt = createdAt
        self.firstChange = firstChange
        self.author = author
        self.idPrefix = "\(Self.idMark)\(ordinal)X"
        self.nameDigits = max(7, String(fileCount).count)
        self.hashes = BulkHashes(count: self.fileCount)
    }

    /// Hides the computed record of the file with this id, if it is one of this folder's: it is stored now.
    mutating func hide(_ id: String) {
        if let index = index(of: id) { changed.insert(index) }
    }

    /// Numbers of the files whose computed record stands (never changed).
    var unchangedIndices: some Sequence<Int> {
        (0..<fileCount).lazy.filter { !changed.contains($0) }
    }

    /// The number of the file with this id, if it is one of this folder's.
    func index(of id: String) -> Int? {
        guard id.utf8.count == Self.idLength, id.hasPrefix(idPrefix), let index = Int(id.dropFirst(idPrefix.count)),
            (0..<fileCount).contains(index), self.id(at: index) == id
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
        guard lowered.hasPrefix("file-"), lowered.hasSuffix(".bin"),
            let number = Int(lowered.dropFirst(5).dropLast(4)), (1...fileCount).contains(number), self.name(at: number - 1) == lowered
        else { return nil }
        return number - 1
    }

    func size(at index: Int) -> Int {
        var draws = SplitMix64(seed: seed ^ (UInt64(index) &* 0x9E37_79B9_7F4A_7C15))
        return Int(draws.next() % UInt64(maxFileSize + 1))
    }

    func lastChange(at index: Int) -> Int { firstChange + index }

    /// Numbers of the files whose change number is above `changeNumber`.
    func indices(changedAfter changeNumber: Int) -> Range<Int> {
        max(0, min(fileCount, changeNumber - firstChange + 1))..<fileCount
    }

    /// The record of file `index` as it was made.
    func record(at index: Int) -> ItemRecord {
        let name = name(at: index)
        let content = GeneratedContent(seed: seed ^ SimulatedTenant.stableHash(name), size: size(at: index))
        if let known = hashes.hash(at: index) {
            content.remember(quickXorHash: known)
        } else {
            hashes.remember(content.quickXorHash, at: index)
        }
        var guids = SplitMix64(seed: seed ^ 0x6A09_E667_F3BC_C909 ^ (UInt64(index) &* 0xBF58_476D_1CE4_E5B9))
        return ItemRecord(
            id: id(at: index), guid: guids.guid(), name: name, parentID: folderID, isFolder: false, isRoot: false,
            mimeType: "application/octet-stream",
            versions: [VersionRecord(id: "1.0", content: .generated(content), modifiedAt: createdAt, modifiedBy: author)],
            nextVersionNumber: 2, revision: 1, contentRevision: 1, createdAt: createdAt, modifiedAt: createdAt,
            fileSystemCreatedAt: createdAt, fileSystemModifiedAt: createdAt, createdBy: author, modifiedBy: author,
            lastChange: lastChange(at: index), isDeleted: false)
    }
}

/// The base64 quickXorHash of each file of a bulk folder, 28 ASCII bytes apiece, kept once computed (hashing a file means
/// generating all its bytes).
final class BulkHashes: Sendable {
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
