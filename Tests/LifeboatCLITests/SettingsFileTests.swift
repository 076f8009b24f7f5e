import ArgumentParser
import Foundation
import LifeboatTestSupport
import Testing

@testable import lifeboat

/// The JSON configuration file read as an admin writes it: numbers as numbers, mistakes named.
@Suite("Configuration file: typed values, wrong types and unknown keys")
struct SettingsFileTests {
    /// Loads settings from a configuration file holding `json`.
    static func load(_ json: String) async throws -> LifeboatSettings {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("lifeboat-config-\(UUID().uuidString).json")
        try Data(json.utf8).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        return try await LifeboatSettings.load(SettingsOptions.parse(["--config", file.path]))
    }

    @Test(
        "numbers and booleans are read as such, and as strings",
        arguments: [
            #"{"lifeboat": {"http": {"port": 48080}, "backup": {"concurrency": 2}, "s3": {"path": {"style": true}}}}"#,
            #"{"lifeboat": {"http": {"port": "48080"}, "backup": {"concurrency": "2"}, "s3": {"path": {"style": "true"}}}}"#,
        ])
    func typedValues(json: String) async throws {
        let settings = try await Self.load(json)
        #expect(try settings.httpPort(default: 8080) == 48080)
        #expect(settings.backupConcurrency == 2)
    }

    @Test(
        "a value of the wrong type is an error naming its key and the file",
        arguments: [
            (#"{"lifeboat": {"http": {"port": "eighty"}}}"#, "lifeboat.http.port"),
            (#"{"lifeboat": {"http": {"port": 80.5}}}"#, "lifeboat.http.port"),
            (#"{"lifeboat": {"data": {"dir": 5}}}"#, "lifeboat.data.dir"),
            (#"{"lifeboat": {"http": {"host": ["a", "b"]}}}"#, "lifeboat.http.host"),
            (#"{"lifeboat": {"s3": {"path": {"style": "maybe"}}}}"#, "lifeboat.s3.path.style"),
        ])
    func wrongType(json: String, key: String) async throws {
        let failure = await #expect(throws: CommandFailure.self) { _ = try await Self.load(json) }
        let message = failure?.description ?? ""
        #expect(message.contains(key) && message.contains("the configuration file"), "\(message)")
    }

    @Test("keys Lifeboat does not know are found, however the file nests them")
    func unknownKeys() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("lifeboat-config-\(UUID().uuidString).json")
        try Data(#"{"lifeboat": {"http": {"prot": 48080, "host": "0.0.0.0"}, "data.dir": "x", "bakup": {"concurrency": 2}}}"#.utf8)
            .write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        #expect(try LifeboatSettings.unknownKeys(inFile: file.path) == ["lifeboat.bakup.concurrency", "lifeboat.http.prot"])
    }
}

/// Settings from the environment, as a service manager passes them.
@Suite("Configuration from environment variables")
struct SettingsEnvironmentTests {
    @Test("a variable of the wrong type stops the command naming the variable")
    func wrongTypeInEnvironment() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("lifeboat-env-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let refusal = await #expect(throws: ChildProcessError.self) {
            _ = try await LifeboatProcess.runToEnd(
                ["job", "list", "--data-dir", folder.appendingPathComponent("data").path], in: folder,
                environment: ["LIFEBOAT_HTTP_PORT": "eighty"])
        }
        #expect("\(refusal.map { "\($0)" } ?? "")".contains("lifeboat.http.port in the environment variable LIFEBOAT_HTTP_PORT must be a whole number"))
    }
}
