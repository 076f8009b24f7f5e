// swift-tools-version:6.1
import PackageDescription

let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

let package = Package(
    name: "lifeboat",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "lifeboat", targets: ["lifeboat"]),
        .library(name: "LifeboatServer", targets: ["LifeboatServer"]),
        .library(name: "M365Simulator", targets: ["M365Simulator"]),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-extras", from: "1.35.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/adam-fowler/compress-nio", from: "1.5.0"),
        .package(url: "https://github.com/vapor/sqlite-kit", from: "4.5.2"),
        .package(url: "https://github.com/vapor/sql-kit", from: "3.36.0"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-configuration", from: "1.4.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-system", from: "1.8.1"),
    ],
    targets: [
        .target(
            name: "LifeboatModel",
            swiftSettings: swiftSettings
        ),
        .target(
            name: "QuickXorHash",
            swiftSettings: swiftSettings
        ),
        .target(
            name: "BoundedConcurrency",
            swiftSettings: swiftSettings
        ),
        .target(
            name: "ProcessIdentity",
            swiftSettings: swiftSettings
        ),
        .target(
            name: "SeededRandom",
            dependencies: [.product(name: "NIOCore", package: "swift-nio")],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "M365Simulator",
            dependencies: [
                "QuickXorHash",
                "SeededRandom",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOFoundationCompat", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "M365Graph",
            dependencies: [
                "BoundedConcurrency",
                "LifeboatModel",
                "QuickXorHash",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOFoundationCompat", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "ChunkStore",
            dependencies: [
                "BoundedConcurrency",
                "ProcessIdentity",
                "SeededRandom",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "CompressNIO", package: "compress-nio"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOFoundationCompat", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "Catalog",
            dependencies: [
                "LifeboatModel",
                .product(name: "SQLKit", package: "sql-kit"),
                .product(name: "SQLiteKit", package: "sqlite-kit"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "BackupEngine",
            dependencies: [
                "BoundedConcurrency",
                "ProcessIdentity",
                "LifeboatModel",
                "M365Graph",
                "ChunkStore",
                "Catalog",
                "QuickXorHash",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "LifeboatServer",
            dependencies: [
                "LifeboatModel",
                "BackupEngine",
                "Catalog",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "NIOFoundationCompat", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "RepositoryBench",
            dependencies: [
                "BoundedConcurrency",
                "ChunkStore",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOFoundationCompat", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings),
        .executableTarget(
            name: "lifeboat",
            dependencies: [
                "LifeboatModel",
                "LifeboatServer",
                "BackupEngine",
                "Catalog",
                "ChunkStore",
                "M365Graph",
                "M365Simulator",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Configuration", package: "swift-configuration"),
                .product(name: "SystemPackage", package: "swift-system"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "LifeboatTestSupport",
            dependencies: [
                "LifeboatModel",
                "M365Simulator",
                "M365Graph",
                "ChunkStore",
                "Catalog",
                "BackupEngine",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Tests/LifeboatTestSupport",
            swiftSettings: swiftSettings
        ),
        .testTarget(name: "LifeboatModelTests", dependencies: ["LifeboatModel"], swiftSettings: swiftSettings),
        .testTarget(name: "QuickXorHashTests", dependencies: ["QuickXorHash", "SeededRandom"], swiftSettings: swiftSettings),
        .testTarget(name: "ProcessIdentityTests", dependencies: ["ProcessIdentity"], swiftSettings: swiftSettings),
        .testTarget(
            name: "BoundedConcurrencyTests",
            dependencies: ["BoundedConcurrency"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "M365SimulatorTests",
            dependencies: [
                "M365Simulator", "QuickXorHash", "SeededRandom", "LifeboatTestSupport",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "M365GraphTests",
            dependencies: ["M365Graph", "M365Simulator", "SeededRandom", "LifeboatTestSupport"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "ChunkStoreTests",
            dependencies: [
                "ChunkStore", "ProcessIdentity", "SeededRandom", "LifeboatTestSupport",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "CatalogTests", dependencies: ["Catalog", "LifeboatModel", "LifeboatTestSupport", "SeededRandom"],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "BackupEngineTests",
            dependencies: ["BackupEngine", "M365Simulator", "ProcessIdentity", "SeededRandom", "LifeboatTestSupport"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "LifeboatCLITests",
            dependencies: ["lifeboat", "LifeboatTestSupport"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "LifeboatServerTests",
            dependencies: [
                "LifeboatServer", "LifeboatTestSupport",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            resources: [.copy("Schemas")],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "GraphBench",
            dependencies: [
                "BoundedConcurrency",
                "BackupEngine",
                "Catalog",
                "ChunkStore",
                "LifeboatModel",
                "M365Graph",
                "M365Simulator",
                "SeededRandom",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "RepositoryCrashWriter",
            dependencies: [
                "ChunkStore",
                "SeededRandom",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
    ]
)
