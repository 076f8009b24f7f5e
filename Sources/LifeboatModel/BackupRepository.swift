import Foundation

/// A place where backed-up content lives: a `ChunkStore` repository.
public struct BackupRepository: Sendable, Hashable, Codable {
    /// Lifeboat's identifier of the repository.
    public var id: UUID
    /// Human name shown in listings.
    public var name: String
    /// Where the repository is: a local directory path (later also `s3://...`).
    public var location: String
    /// Free text.
    public var description: String
    /// When the repository was registered.
    public var createdAt: Date
    /// How long its restore points are kept; nil keeps them forever.
    public var retention: RetentionPolicy?

    /// Creates a repository record.
    public init(
        id: UUID = UUID(), name: String, location: String, description: String = "", createdAt: Date = Date(),
        retention: RetentionPolicy? = nil
    ) {
        self.retention = retention
        self.id = id
        self.name = name
        self.location = location
        self.description = description
        self.createdAt = createdAt
    }
}
