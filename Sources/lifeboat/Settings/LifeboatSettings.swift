import BackupEngine
import ChunkStore
import Configuration
import Foundation
import Logging
import SystemPackage

/// Lifeboat's configuration, resolved once per command: command-line options, then `LIFEBOAT_*` environment
/// variables, then the JSON file named by `--config` / `LIFEBOAT_CONFIG`, then built-in defaults.
///
/// Keys (JSON paths / environment names): `lifeboat.data.dir` (`LIFEBOAT_DATA_DIR`), `lifeboat.log.level`,
/// `lifeboat.catalog.path`, `lifeboat.index.cache.dir`, `lifeboat.catalog.key` (base64 of 32 bytes), `lifeboat.repository.password`,
/// `lifeboat.http.host`, `lifeboat.http.port`, `lifeboat.backup.concurrency`, and the `lifeboat.s3.*` keys of `s3Access`.
struct LifeboatSettings: Sendable {
    private let reader: ConfigReader

    /// Reads the configuration; `commandLine` holds keys given as options (they win over everything else).
    static func load(_ options: SettingsOptions, commandLine: [String: String] = [:]) async throws -> LifeboatSettings {
        let explicit = options.explicitValues.merging(commandLine) { _, new in new }
        var providers: [any ConfigProvider] = [
            InMemoryProvider(
                name: "command line",
                values: Dictionary(
                    uniqueKeysWithValues: explicit.map { (AbsoluteConfigKey($0.key.split(separator: ".").map(String.init)), ConfigValue(.string($0.value), isSecret: false)) })),
            EnvironmentVariablesProvider(
                secretsSpecifier: .specific([
                    "LIFEBOAT_REPOSITORY_PASSWORD", "LIFEBOAT_CATALOG_KEY", "LIFEBOAT_S3_SECRET_ACCESS_KEY", "AWS_SECRET_ACCESS_KEY",
                ])),
        ]
        if let file = options.config ?? ProcessInfo.processInfo.environment["LIFEBOAT_CONFIG"] {
            do {
                providers.append(try await FileProvider<JSONSnapshot>(filePath: FilePath(file)))
            } catch {
                throw CommandFailure("Cannot read the configuration file \(file): \(error)")
            }
        }
        return LifeboatSettings(reader: ConfigReader(providers: providers))
    }

    /// The data folder (default `./lifeboat-data`), absolute.
    var dataDirectory: URL {
        let path = reader.string(forKey: "lifeboat.data.dir", default: "lifeboat-data")
        return URL(fileURLWithPath: path, relativeTo: URL(fileURLWithPath: FileManager.default.currentDirectoryPath))
            .standardizedFileURL
    }

    /// Where repositories keep their chunk index caches (default `<data>/index-cache`, key `lifeboat.index.cache.dir`):
    /// disposable, rebuilt from the repositories' index files when missing.
    var indexCache: IndexCacheLocation {
        .directory(
            reader.string(forKey: "lifeboat.index.cache.dir")
                ?? dataDirectory.appendingPathComponent("index-cache").path)
    }

    /// The SQLite catalog file (default `<data>/catalog.sqlite`).
    var catalogPath: String {
        reader.string(forKey: "lifeboat.catalog.path") ?? dataDirectory.appendingPathComponent("catalog.sqlite").path
    }

    /// Base64 of the 32-byte key that encrypts Graph secrets in the catalog; nil means the key file in the data folder.
    var catalogKey: String? { reader.string(forKey: "lifeboat.catalog.key", isSecret: true) }

    /// The repository password, when configured (otherwise the data folder's password file is used).
    var repositoryPassword: String? { reader.string(forKey: "lifeboat.repository.password", isSecret: true) }

    /// The S3-compatible service for repositories at `s3://bucket/prefix` locations; nil when no credentials are set.
    ///
    /// Keys: `lifeboat.s3.endpoint` (`LIFEBOAT_S3_ENDPOINT`; default AWS S3 in the region), `lifeboat.s3.region`
    /// (`LIFEBOAT_S3_REGION`, else `AWS_REGION`, else `us-east-1`), `lifeboat.s3.path.style` (`LIFEBOAT_S3_PATH_STYLE`:
    /// true for MinIO, Ceph and IP endpoints; default true with a custom endpoint, false for AWS), and the credentials
    /// `lifeboat.s3.access.key.id` / `lifeboat.s3.secret.access.key`, else `AWS_ACCESS_KEY_ID` / `AWS_SECRET_ACCESS_KEY`.
    /// The secret is read as a secret, so configuration dumps and logs redact it.
    var s3Access: S3Access? {
        get throws {
            let accessKeyID = reader.string(forKey: "lifeboat.s3.access.key.id") ?? reader.string(forKey: "aws.access.key.id")
            let secret =
                reader.string(forKey: "lifeboat.s3.secret.access.key", isSecret: true)
                ?? reader.string(forKey: "aws.secret.access.key", isSecret: true)
            guard let accessKeyID, let secret else {
                if accessKeyID != nil || secret != nil {
                    throw CommandFailure("S3 credentials need both AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY.")
                }
                return nil
            }
            var endpoint: URL?
            if let raw = reader.string(forKey: "lifeboat.s3.endpoint") {
                guard let url = URL(string: raw) else { throw CommandFailure("lifeboat.s3.endpoint '\(raw)' is not a URL.") }
                endpoint = url
            }
            var addressing: S3AddressingStyle?
            if let raw = reader.string(forKey: "lifeboat.s3.path.style") {
                switch raw.lowercased() {
                case "true", "1", "yes": addressing = .path
                case "false", "0", "no": addressing = .virtualHosted
                default: throw CommandFailure("lifeboat.s3.path.style (LIFEBOAT_S3_PATH_STYLE) must be true or false, got '\(raw)'.")
                }
            }
            let region = reader.string(forKey: "lifeboat.s3.region") ?? reader.string(forKey: "aws.region") ?? "us-east-1"
            do {
                return try S3Access(
                    endpoint: endpoint, region: region, accessKeyID: accessKeyID, secretAccessKey: secret,
                    addressingStyle: addressing)
            } catch {
                throw CommandFailure("\(error)")
            }
        }
    }

    /// Address the API server binds.
    var httpHost: String { reader.string(forKey: "lifeboat.http.host", default: "127.0.0.1") }

    /// Port the API server binds.
    func httpPort(default defaultPort: Int) throws -> Int {
        try port(reader.string(forKey: "lifeboat.http.port"), key: "lifeboat.http.port") ?? defaultPort
    }

    /// A positive number of seconds set at `key` (the HTTP server's `lifeboat.http.timeout.*`), or nil when unset.
    func seconds(_ key: String) throws -> Duration? {
        guard let raw = string(key) else { return nil }
        guard let value = Double(raw), value > 0, value < 1e9 else {
            throw CommandFailure("\(key) must be a positive number of seconds, got '\(raw)'.")
        }
        return .milliseconds(Int64((value * 1000).rounded()))
    }

    /// A positive whole number set at `key` (`lifeboat.http.connections.max`, `lifeboat.http.hashing.threads`), or nil.
    func positiveInteger(_ key: String) throws -> Int? {
        guard let raw = string(key) else { return nil }
        guard let value = Int(raw), value > 0 else {
            throw CommandFailure("\(key) must be a positive whole number, got '\(raw)'.")
        }
        return value
    }

    /// Files downloaded at once per drive during a backup.
    var backupConcurrency: Int {
        max(1, Int(reader.string(forKey: "lifeboat.backup.concurrency") ?? "") ?? 4)
    }

    /// The configured log level, or `defaultLevel` when none is set.
    func logLevel(default defaultLevel: Logger.Level) throws -> Logger.Level {
        guard let raw = reader.string(forKey: "lifeboat.log.level") else { return defaultLevel }
        guard let level = Logger.Level(rawValue: raw.lowercased()) else {
            throw CommandFailure("Unknown log level '\(raw)': use trace, debug, info, notice, warning, error or critical.")
        }
        return level
    }

    /// Any string setting, for command-specific keys.
    func string(_ key: String) -> String? {
        reader.string(forKey: ConfigKey(key.split(separator: ".").map(String.init)))
    }

    /// Parses a port setting; nil when absent.
    func port(_ raw: String?, key: String) throws -> Int? {
        guard let raw else { return nil }
        guard let value = Int(raw), (0...65535).contains(value) else {
            throw CommandFailure("\(key) must be a port number (0-65535), got '\(raw)'.")
        }
        return value
    }

    /// A logger at the configured level (else `defaultLevel`), writing to standard error.
    func makeLogger(label: String = "lifeboat", defaultLevel: Logger.Level = .info) throws -> Logger {
        var logger = Logger(label: label) { StreamLogHandler.standardError(label: $0) }
        logger.logLevel = try logLevel(default: defaultLevel)
        return logger
    }
}
