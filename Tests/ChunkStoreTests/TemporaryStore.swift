import Foundation

@testable import ChunkStore

/// Creates a LocalDirectoryStore in a fresh temporary directory for one test.
enum TemporaryStore {
    static func make() throws -> LocalDirectoryStore {
        let path = FileManager.default.temporaryDirectory
            .appendingPathComponent("lifeboat-chunkstore-\(UUID().uuidString)").path
        return try LocalDirectoryStore(path: path)
    }
}
