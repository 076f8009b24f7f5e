import Foundation
import LifeboatModel

extension BackupFixture {
    /// Flips a byte every 1 KiB of every pack of the fixture's repository, so every chunk fails its authentication
    /// when read; returns how many packs were damaged.
    @discardableResult
    public func damageEveryPack() throws -> Int {
        let location = URL(fileURLWithPath: repositoryRecord.location)
        let packs = try FileManager.default.subpathsOfDirectory(atPath: location.path)
            .filter { $0.hasPrefix("packs/") }
            .map { location.appendingPathComponent($0) }
            .filter { (try? $0.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true }
        for pack in packs {
            var bytes = try Data(contentsOf: pack)
            for offset in stride(from: 0, to: bytes.count, by: 1024) { bytes[offset] ^= 0x40 }
            try bytes.write(to: pack)
        }
        return packs.count
    }
}
