import Testing

@testable import ChunkStore

/// The `ObjectStore` implementations the shared contract tests run against.
enum StoreBackend: String, CaseIterable, CustomTestStringConvertible, Sendable {
    case local
    case s3

    /// Every backend that can run here: S3 only where `moto_server` is installed (`pip install "moto[server]"`).
    static var available: [StoreBackend] { MotoServer.isInstalled ? [.local, .s3] : [.local] }

    var testDescription: String { rawValue }

    /// A fresh, empty store of this kind; S3 needs the suite to carry the `.motoServer` trait.
    func makeStore() async throws -> any ObjectStore {
        switch self {
        case .local:
            return try TemporaryStore.make()
        case .s3:
            let server = try #require(MotoServer.current, "the suite needs the .motoServer trait")
            return try await server.makeStore()
        }
    }
}
