import BackupEngine
import ChunkStore
import Configuration
import Foundation
import LifeboatModel
import Logging
import SystemPackage

/// Lifeboat's configuration, resolved once per command: command-line options, then `LIFEBOAT_*` environment
/// variables, then the JSON file named by `--config` / `LIFEBOAT_CONFIG`, then built-in defaults.
///
/// Every key Lifeboat knows (`keys`) is read and type-checked when the settings load: a number or boolean may be
/// written as one (`"port": 48080`) or as a string (`"48080"`, as environment variables always are), and a value of
/// the wrong type fails naming its key and where it was set. Keys of the file that Lifeboat does not know are
/// reported on standard error (a misspelt key would otherwise be silently ignored).
struct LifeboatSettings: Sendable {
    /// The kinds of value a setting holds.
    enum Kind: Sendable {
        case string
        case integer
        case boolean
    }

    /// Every key Lifeboat reads, with its kind. A new setting is added here, or the file's key is reported unknown.
    static let keys: [String: Kind] = [
        "lifeboat.data.dir": .string, "lifeboat.log.level": .string, "lifeboat.catalog.path": .string,
        "lifeboat.index.cache.dir": .string, "lifeboat.catalog.key": .string, "lifeboat.repository.password": .string,
        "lifeboat.http.host": .string, "lifeboat.http.port": .integer, "lifeboat.backup.concurrency": .integer,
        "lifeboat.s3.endpoint": .string, "lifeboat.s3.region": .string, "lifeboat.s3.path.style": .boolean,
        "lifeboat.s3.access.key.id": .string, "lifeboat.s3.secret.access.key": .string,
        "aws.access.key.id": .string, "aws.secret.access.key": .string, "aws.region": .string,
        "lifeboat.http.timeout.header": .integer, "lifeboat.http.timeout.body": .integer, "lifeboat.http.timeout.idle": .integer,
        "lifeboat.http.connections.max": .integer, "lifeboat.http.hashing.threads": .integer,
        "lifeboat.notify.webhook.url": .string, "lifeboat.notify.states": .string,
    ]

    /// The known keys that are set, with their values as read (numbers and booleans already parsed).
    private let values: [String: ConfigContent]
    private let reader: ConfigReader

    /// Reads the configuration; `commandLine` holds keys given as options (they win over everything else).
    ///
    /// Throws `CommandFailure` when the file cannot be read or a value has the wrong type for its key.
    static func load(_ options: SettingsOptions, commandLine: [String: String] = [:]) async throws -> LifeboatSettings {
        let explicit = options.explicitValues.merging(commandLine) { _, new in new }
        var sources: [(name: String, provider: any ConfigProvider)] = [
            (
                "the command line",
                InMemoryProvider(
                    name: "command line",
                    values: Dictionary(
                        uniqueKeysWithValues: explicit.map { (Self.configKey($0.key), ConfigValue(.string($0.value), isSecret: false)) }))
            ),
            (
                "the environment",
                EnvironmentVariablesProvider(
                    secretsSpecifier: .specific([
                        "LIFEBOAT_REPOSITORY_PASSWORD", "LIFEBOAT_CATALOG_KEY", "LIFEBOAT_S3_SECRET_ACCESS_KEY", "AWS_SECRET_ACCESS_KEY",
                        "LIFEBOAT_NOTIFY_WEBHOOK_URL",
                    ]))
            ),
        ]
        if let file = options.config ?? ProcessInfo.processInfo.environment["LIFEBOAT_CONFIG"] {
            do {
                sources.append(("the configuration file \(file)", try await FileProvider<JSONSnapshot>(filePath: FilePath(file))))
            } catch {
                throw CommandFailure("Cannot read the configuration file \(file): \(error)")
            }
            let unknown = try unknownKeys(inFile: file)
            if !unknown.isEmpty {
                FileHandle.standardError.write(Data((
                    "warning: the configuration file \(file) sets \(unknown.count == 1 ? "a key" : "keys") Lifeboat does not know, "
                        + "ignored: \(unknown.joined(separator: ", ")). Known keys: \(keys.keys.sorted().joined(separator: ", ")).\n").utf8))
            }
        }
        var values: [String: ConfigContent] = [:]
        for (key, kind) in keys {
            values[key] = try value(of: key, kind: kind, in: sources)
        }
        return LifeboatSettings(values: values, reader: ConfigReader(providers: sources.map { $0.provider }))
    }

    /// The first source's value of `key`, parsed as `kind`; throws naming the key and the source when it has another type.
    private static func value(
        of key: String, kind: Kind, in sources: [(name: String, provider: any ConfigProvider)]
    ) throws -> ConfigContent? {
        let configKey = configKey(key)
        for (source, provider) in sources {
            // The environment names the variable: LIFEBOAT_HTTP_PORT for lifeboat.http.port.
            let name = provider is EnvironmentVariablesProvider
                ? "the environment variable \(key.uppercased().replacingOccurrences(of: ".", with: "_"))" : source
            if let typed = try? provider.value(forKey: configKey, type: kind.configType).value { return typed.content }
            // Numbers and booleans may come as strings: environment variables always do, and files written before
            // Lifeboat read numbers did.
            guard let raw = try? provider.value(forKey: configKey, type: .string).value else {
                let anyType: [ConfigType] = [.int, .double, .bool, .stringArray, .intArray, .doubleArray, .boolArray]
                if anyType.contains(where: { (try? provider.value(forKey: configKey, type: $0).value) != nil }) {
                    throw CommandFailure("\(key) in \(name) must be \(kind.noun).")
                }
                continue
            }
            guard case .string(let text) = raw.content, let parsed = kind.parse(text) else {
                throw CommandFailure("\(key) in \(name) must be \(kind.noun).")
            }
            return parsed
        }
        return nil
    }

    /// The keys of a JSON configuration file (nested objects joined with dots) that are not in `keys`, sorted.
    static func unknownKeys(inFile file: String) throws -> [String] {
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: file)))
        } catch {
            throw CommandFailure("Cannot read the configuration file \(file): \(error.localizedDescription)")
        }
        var found: [String] = []
        func walk(_ value: Any, path: String) {
            if let object = value as? [String: Any] {
                for (name, child) in object { walk(child, path: path.isEmpty ? name : path + "." + name) }
            } else if !path.isEmpty {
                found.append(path)
            }
        }
        walk(object, path: "")
        return found.filter { keys[$0] == nil }.sorted()
    }

    private static func configKey(_ key: String) -> AbsoluteConfigKey {
        AbsoluteConfigKey(key.split(separator: ".").map(String.init))
    }

    private func string(forKey key: String) -> String? {
        if case .string(let text) = values[key] { return text }
        return nil
    }

    private func integer(forKey key: String) -> Int? {
        if case .int(let number) = values[key] { return number }
        return nil
    }

    private func boolean(forKey key: String) -> Bool? {
        if case .bool(let flag) = values[key] { return flag }
        return nil
    }

    /// The data folder (default `./lifeboat-data`), absolute.
    var dataDirectory: URL {
        let path = string(forKey: "lifeboat.data.dir") ?? "lifeboat-data"
        return URL(fileURLWithPath: path, relativeTo: URL(fileURLWithPath: FileManager.default.currentDirectoryPath))
            .standardizedFileURL
    }

    /// Where repositories keep their chunk index caches (default `<data>/index-cache`, key `lifeboat.index.cache.dir`):
    /// disposable, rebuilt from the repositories' index files when missing.
    var indexCache: IndexCacheLocation {
        .directory(
            string(forKey: "lifeboat.index.cache.dir")
                ?? dataDirectory.appendingPathComponent("index-cache").path)
    }

    /// The SQLite catalog file (default `<data>/catalog.sqlite`).
    var catalogPath: String {
        string(forKey: "lifeboat.catalog.path") ?? dataDirectory.appendingPathComponent("catalog.sqlite").path
    }

    /// Base64 of the 32-byte key that encrypts Graph secrets in the catalog; nil means the key file in the data folder.
    var catalogKey: String? { string(forKey: "lifeboat.catalog.key") }

    /// The repository password, when configured (otherwise the data folder's password file is used).
    var repositoryPassword: String? { string(forKey: "lifeboat.repository.password") }

    /// The S3-compatible service for repositories at `s3://bucket/prefix` locations; nil when no credentials are set.
    ///
    /// Keys: `lifeboat.s3.endpoint` (`LIFEBOAT_S3_ENDPOINT`; default AWS S3 in the region), `lifeboat.s3.region`
    /// (`LIFEBOAT_S3_REGION`, else `AWS_REGION`, else `us-east-1`), `lifeboat.s3.path.style` (`LIFEBOAT_S3_PATH_STYLE`:
    /// true for MinIO, Ceph and IP endpoints; default true with a custom endpoint, false for AWS), and the credentials
    /// `lifeboat.s3.access.key.id` / `lifeboat.s3.secret.access.key`, else `AWS_ACCESS_KEY_ID` / `AWS_SECRET_ACCESS_KEY`.
    /// The secret is read as a secret, so configuration dumps and logs redact it.
    var s3Access: S3Access? {
        get throws {
            let accessKeyID = string(forKey: "lifeboat.s3.access.key.id") ?? string(forKey: "aws.access.key.id")
            let secret =
                string(forKey: "lifeboat.s3.secret.access.key") ?? string(forKey: "aws.secret.access.key")
            guard let accessKeyID, let secret else {
                if accessKeyID != nil || secret != nil {
                    throw CommandFailure("S3 credentials need both AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY.")
                }
                return nil
            }
            var endpoint: URL?
            if let raw = string(forKey: "lifeboat.s3.endpoint") {
                guard let url = URL(string: raw) else { throw CommandFailure("lifeboat.s3.endpoint '\(raw)' is not a URL.") }
                endpoint = url
            }
            let addressing = boolean(forKey: "lifeboat.s3.path.style").map { $0 ? S3AddressingStyle.path : .virtualHosted }
            let region = string(forKey: "lifeboat.s3.region") ?? string(forKey: "aws.region") ?? "us-east-1"
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
    var httpHost: String { string(forKey: "lifeboat.http.host") ?? "127.0.0.1" }

    /// Port the API server binds.
    func httpPort(default defaultPort: Int) throws -> Int {
        guard let port = integer(forKey: "lifeboat.http.port") else { return defaultPort }
        guard (0...65535).contains(port) else {
            throw CommandFailure("lifeboat.http.port must be a port number (0-65535), got \(port).")
        }
        return port
    }

    /// A positive whole number of seconds set at `key` (the HTTP server's `lifeboat.http.timeout.*`), or nil when unset.
    func seconds(_ key: String) throws -> Duration? {
        try positiveInteger(key).map { .seconds($0) }
    }

    /// A positive whole number set at `key` (`lifeboat.http.connections.max`, `lifeboat.http.hashing.threads`), or nil.
    func positiveInteger(_ key: String) throws -> Int? {
        guard let value = integer(forKey: key) else { return nil }
        guard value > 0 else { throw CommandFailure("\(key) must be a positive whole number, got \(value).") }
        return value
    }

    /// Where run notifications are posted (`lifeboat.notify.webhook.url`) and for which final states
    /// (`lifeboat.notify.states`, comma-separated, default `failed,warning`); nil when no webhook is set.
    func webhook() throws -> WebhookNotifier.Configuration? {
        guard let url = string(forKey: "lifeboat.notify.webhook.url"), !url.isEmpty else { return nil }
        guard let parsed = URL(string: url), ["http", "https"].contains(parsed.scheme?.lowercased() ?? ""), parsed.host != nil else {
            throw CommandFailure("lifeboat.notify.webhook.url must be an http(s) URL.")
        }
        var configuration = WebhookNotifier.Configuration(url: url)
        if let states = string(forKey: "lifeboat.notify.states") {
            var chosen: Set<JobRunState> = []
            for name in states.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces).lowercased() }) {
                guard let state = JobRunState(rawValue: name), [.failed, .warning, .succeeded, .stopped].contains(state) else {
                    throw CommandFailure(
                        "lifeboat.notify.states lists '\(name)'; use failed, warning, succeeded or stopped, separated by commas.")
                }
                chosen.insert(state)
            }
            configuration.states = chosen
        }
        return configuration
    }

    /// Files downloaded at once per drive during a backup.
    var backupConcurrency: Int {
        max(1, integer(forKey: "lifeboat.backup.concurrency") ?? 4)
    }

    /// The configured log level, or `defaultLevel` when none is set.
    func logLevel(default defaultLevel: Logger.Level) throws -> Logger.Level {
        guard let raw = string(forKey: "lifeboat.log.level") else { return defaultLevel }
        guard let level = Logger.Level(rawValue: raw.lowercased()) else {
            throw CommandFailure("Unknown log level '\(raw)': use trace, debug, info, notice, warning, error or critical.")
        }
        return level
    }

    /// Any string setting: a known key's value, or for a key not in `keys` the first source's string.
    func string(_ key: String) -> String? {
        if Self.keys[key] != nil { return string(forKey: key) }
        return reader.string(forKey: ConfigKey(key.split(separator: ".").map(String.init)))
    }

    /// A logger at the configured level (else `defaultLevel`), writing to standard error.
    func makeLogger(label: String = "lifeboat", defaultLevel: Logger.Level = .info) throws -> Logger {
        var logger = Logger(label: label) { StreamLogHandler.standardError(label: $0) }
        logger.logLevel = try logLevel(default: defaultLevel)
        return logger
    }
}

extension LifeboatSettings.Kind {
    /// The type swift-configuration reads a value of this kind as.
    var configType: ConfigType {
        switch self {
        case .string: .string
        case .integer: .int
        case .boolean: .bool
        }
    }

    /// How a message names a value of this kind.
    var noun: String {
        switch self {
        case .string: "a string"
        case .integer: "a whole number"
        case .boolean: "true or false"
        }
    }

    /// A value of this kind written as text (an environment variable, a quoted number in the file); nil when it is not one.
    func parse(_ text: String) -> ConfigContent? {
        switch self {
        case .string:
            return .string(text)
        case .integer:
            return Int(text.trimmingCharacters(in: .whitespaces)).map(ConfigContent.int)
        case .boolean:
            switch text.trimmingCharacters(in: .whitespaces).lowercased() {
            case "true", "1", "yes": return .bool(true)
            case "false", "0", "no": return .bool(false)
            default: return nil
            }
        }
    }
}
