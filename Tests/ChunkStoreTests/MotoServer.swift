import AsyncHTTPClient
import Foundation
import LifeboatTestSupport
import NIOCore
import NIOHTTP1
import Testing

@testable import ChunkStore

/// A `moto_server` (moto's S3 emulator) on a free loopback port, optionally with signature checking switched on.
///
/// Moto checks SigV4 signatures only for IAM users it knows, so an authenticated server starts with three
/// unauthenticated actions allowed, which create a user with an `s3:*` policy and its access key; every request
/// after that must be correctly signed with those credentials. Moto rebuilds the canonical query from a decoded
/// URL, so it rejects correctly signed requests whose query holds `/` (ListObjectsV2 with a prefix); the shared
/// server therefore runs without checks, and the signature tests start their own authenticated one.
/// `pip install "moto[server]"` puts `moto_server` on PATH.
final class MotoServer: Sendable {
    /// The running server of the current test, installed by the `.motoServer` trait.
    @TaskLocal static var current: MotoServer?

    /// Whether the S3 tests can run here.
    static var isInstalled: Bool { MotoProcess.isInstalled }

    let moto: MotoProcess
    let accessKeyID: String
    let secretAccessKey: String

    /// The server's base URL.
    var endpoint: URL { moto.endpoint }

    private init(moto: MotoProcess, accessKeyID: String, secretAccessKey: String) {
        self.moto = moto
        self.accessKeyID = accessKeyID
        self.secretAccessKey = secretAccessKey
    }

    /// Starts the server, waits until it answers and provisions credentials.
    static func start(authenticated: Bool = false) async throws -> MotoServer {
        let moto = try await MotoProcess.start(environment: authenticated ? ["INITIAL_NO_AUTH_ACTION_COUNT": "3"] : [:])
        do {
            let (accessKeyID, secret) =
                authenticated ? try await provisionUser(moto.endpoint) : ("lifeboat-test", "lifeboat-test-secret")
            return MotoServer(moto: moto, accessKeyID: accessKeyID, secretAccessKey: secret)
        } catch {
            moto.stop()
            throw error
        }
    }

    /// Kills the server.
    func stop() {
        moto.stop()
    }

    /// A configuration for `bucket` on this server with its provisioned credentials.
    func configuration(
        bucket: String, secretAccessKey: String? = nil, keyPrefix: String = "", multipartThreshold: Int = 64 << 20,
        retryPolicy: S3RetryPolicy = S3RetryPolicy(maximumAttempts: 3, baseDelay: .milliseconds(5), maximumDelay: .milliseconds(20))
    ) throws -> S3Configuration {
        try S3Configuration(
            endpoint: endpoint, region: "us-east-1", bucket: bucket, accessKeyID: accessKeyID,
            secretAccessKey: secretAccessKey ?? self.secretAccessKey, addressingStyle: .path, keyPrefix: keyPrefix,
            multipartThreshold: multipartThreshold, partSize: S3Configuration.minimumPartSize, retryPolicy: retryPolicy)
    }

    /// Creates a fresh, uniquely named bucket with a signed `PUT /bucket` and returns a store on it.
    func makeStore(keyPrefix: String = "", multipartThreshold: Int = 64 << 20, transport: (any S3Transport)? = nil) async throws
        -> S3ObjectStore
    {
        let bucket = "lifeboat-" + UUID().uuidString.lowercased().prefix(13)
        let configuration = try configuration(
            bucket: bucket, keyPrefix: keyPrefix, multipartThreshold: multipartThreshold)
        let store = S3ObjectStore(configuration: configuration, transport: transport ?? HTTPClient.shared)
        let created = try await store.perform(.PUT, objectKey: nil, operation: "CreateBucket")
        try #require(created.status == .ok, "CreateBucket answered \(created.status)")
        return store
    }

    /// Creates an IAM user allowed `s3:*` and returns its access key; these are the three unauthenticated actions.
    private static func provisionUser(_ endpoint: URL) async throws -> (String, String) {
        let policy = #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}"#
        _ = try await iam(endpoint, ["Action": "CreateUser", "UserName": "lifeboat"])
        _ = try await iam(
            endpoint, ["Action": "PutUserPolicy", "UserName": "lifeboat", "PolicyName": "s3", "PolicyDocument": policy])
        let created = try await iam(endpoint, ["Action": "CreateAccessKey", "UserName": "lifeboat"])
        let key = try #require(S3XMLElement.parse(created)?.child("CreateAccessKeyResult")?.child("AccessKey"))
        return (try #require(key.child("AccessKeyId")?.text), try #require(key.child("SecretAccessKey")?.text))
    }

    /// Sends one IAM query-API call; moto routes it by the `iam` service in the signature's credential scope.
    private static func iam(_ endpoint: URL, _ parameters: [String: String]) async throws -> ByteBuffer {
        var form = parameters
        form["Version"] = "2010-05-08"
        let body = form.sorted { $0.key < $1.key }
            .map { SigV4Signer.uriEncode($0.key, encodeSlash: true) + "=" + SigV4Signer.uriEncode($0.value, encodeSlash: true) }
            .joined(separator: "&")
        let hash = SigV4Signer.sha256Hex(ByteBuffer(string: body))
        let host = "\(endpoint.host!):\(endpoint.port!)"
        let now = Date()
        let headers = [
            ("host", host), ("content-type", "application/x-www-form-urlencoded"),
            ("x-amz-date", SigV4Signer.timestamp(now)), ("x-amz-content-sha256", hash),
        ]
        let signer = SigV4Signer(accessKeyID: "bootstrap", secretAccessKey: "bootstrap", region: "us-east-1", service: "iam")
        var request = HTTPClientRequest(url: endpoint.absoluteString + "/")
        request.method = .POST
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        request.headers.add(
            name: "authorization",
            value: signer.authorization(method: "POST", encodedPath: "/", query: [], headers: headers, payloadHash: hash, date: now))
        request.body = .bytes(ByteBuffer(string: body))
        let response = try await HTTPClient.shared.send(request, timeout: .seconds(10))
        try #require(response.status == .ok, "IAM \(parameters["Action"]!) answered \(response.status): \(String(buffer: response.body))")
        return response.body
    }
}

/// Runs a suite or test with a `MotoServer` started for it (when `moto_server` is installed) and stops it afterwards.
struct MotoServerTrait: SuiteTrait, TestTrait, TestScoping {
    var isRecursive: Bool { false }

    func provideScope(
        for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void
    ) async throws {
        guard MotoServer.isInstalled, MotoServer.current == nil else {
            try await function()
            return
        }
        let server = try await MotoServer.start()
        defer { server.stop() }
        try await MotoServer.$current.withValue(server) { try await function() }
    }
}

extension Trait where Self == MotoServerTrait {
    /// Starts `moto_server` for the suite; a no-op where it is not installed (S3 cases are then left out).
    static var motoServer: Self { MotoServerTrait() }
}
