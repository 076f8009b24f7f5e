import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A `moto_server` (moto's S3 emulator) running on a free loopback port, for tests of S3 repositories.
///
/// `pip install "moto[server]"` puts `moto_server` on PATH; where it is absent, suites using it are skipped with
/// `skipMessage`. Without extra environment the server checks no signatures, so any credentials work.
public final class MotoProcess: Sendable {
    /// The absolute path of `moto_server`, or `nil` when it is not installed.
    public static let executable: String? = {
        for directory in (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":") {
            let candidate = "\(directory)/moto_server"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }()

    /// Whether S3 tests can run here.
    public static var isInstalled: Bool { executable != nil }

    /// Why S3 suites are skipped, and how to enable them.
    public static let skipMessage = #"moto_server not found; pip install "moto[server]" enables the S3 tests"#

    /// The server's base URL (`http://127.0.0.1:<port>`).
    public let endpoint: URL
    private let process: Process

    private init(process: Process, endpoint: URL) {
        self.process = process
        self.endpoint = endpoint
    }

    /// Starts the server with `environment` added to this process's and waits (up to 30 s) until it answers.
    public static func start(environment extra: [String: String] = [:]) async throws -> MotoProcess {
        guard let executable else { throw MotoProcessError.notInstalled }
        let port = try freePort()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = ["-H", "127.0.0.1", "-p", "\(port)"]
        process.environment = ProcessInfo.processInfo.environment.merging(extra) { _, new in new }
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let moto = MotoProcess(process: process, endpoint: URL(string: "http://127.0.0.1:\(port)")!)
        do {
            try await moto.waitUntilAnswering()
        } catch {
            moto.stop()
            throw error
        }
        return moto
    }

    /// Kills the server; moto_server ignores SIGTERM, and it holds nothing worth a graceful shutdown.
    public func stop() {
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    /// Creates a bucket with an unsigned `PUT /bucket` (the server must not be checking signatures).
    public func createBucket(_ name: String) async throws {
        var request = HTTPClientRequest(url: endpoint.absoluteString + "/" + name)
        request.method = .PUT
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
        _ = try await response.body.collect(upTo: 1 << 20)
        guard response.status == .ok else { throw MotoProcessError.bucketNotCreated(name, status: Int(response.status.code)) }
    }

    private func waitUntilAnswering() async throws {
        let deadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < deadline {
            var request = HTTPClientRequest(url: endpoint.absoluteString + "/moto-api/")
            request.method = .GET
            if let response = try? await HTTPClient.shared.execute(request, timeout: .seconds(2)), response.status == .ok {
                _ = try? await response.body.collect(upTo: 1 << 22)
                return
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw MotoProcessError.notAnswering
    }

    private static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                bind(fd, pointer, length) == 0 && getsockname(fd, pointer, &length) == 0
            }
        }
        guard bound else { throw MotoProcessError.noFreePort }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}

/// Why `MotoProcess` could not provide a server.
public enum MotoProcessError: Error, CustomStringConvertible {
    case notInstalled
    case notAnswering
    case noFreePort
    case bucketNotCreated(String, status: Int)

    public var description: String {
        switch self {
        case .notInstalled: MotoProcess.skipMessage
        case .notAnswering: "moto_server did not answer within 30 s"
        case .noFreePort: "could not find a free loopback port"
        case .bucketNotCreated(let name, let status): "moto_server answered \(status) to creating bucket \(name)"
        }
    }
}
