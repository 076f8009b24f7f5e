import Foundation

/// The `config` object: what identifies a repository and how its content is cut. Written once, in clear.
struct RepositoryConfig: Codable, Sendable, Equatable {
    static let formatVersion = 1
    static let objectKey = "config"

    var version: Int
    /// 64 hex digits, random per repository.
    var id: String
    var chunking: ChunkingParameters
    var created: Date

    func encoded() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        encoder.dateEncodingStrategy = .iso8601
        return try encoder.encode(self)
    }

    static func decode(_ data: Data) throws -> RepositoryConfig {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        let config: RepositoryConfig
        do {
            config = try decoder.decode(RepositoryConfig.self, from: data)
        } catch {
            throw ChunkStoreError.corruptMetadata(key: objectKey, reason: "unreadable JSON: \(error)")
        }
        guard config.version == formatVersion else {
            throw ChunkStoreError.unsupportedVersion(object: objectKey, version: config.version)
        }
        try config.chunking.validate()
        return config
    }
}
