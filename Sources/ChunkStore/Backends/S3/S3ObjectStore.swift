import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1

/// An `ObjectStore` in an S3-compatible bucket (AWS S3, MinIO, Ceph, Wasabi, ...), signed with SigV4.
///
/// Every object carries its SHA-256 in `x-amz-meta-sha256`, which makes write-once checks cheap: `put` first
/// asks whether the key exists and, if so, accepts identical content and refuses different content with
/// `ChunkStoreError.objectConflict`; new objects are written with `If-None-Match: *` so a racing writer is detected
/// where the server supports conditional writes. Objects above `multipartThreshold` go up as a multipart upload,
/// which is aborted when any step fails, so no partial object is ever visible. 5xx, throttling and connection
/// errors are retried per `retryPolicy`; refused credentials surface as `ChunkStoreError.storeAccessDenied`.
public struct S3ObjectStore: ObjectStore {
    /// The bucket and how to reach it.
    public let configuration: S3Configuration
    let signer: SigV4Signer
    let transport: any S3Transport
    let logger: Logger

    /// Creates a store for `configuration`; the caller owns `transport` (by default the shared `HTTPClient`).
    public init(
        configuration: S3Configuration,
        transport: any S3Transport = HTTPClient.shared,
        logger: Logger = Logger(label: "lifeboat.chunkstore.s3")
    ) {
        self.configuration = configuration
        self.signer = SigV4Signer(
            accessKeyID: configuration.accessKeyID, secretAccessKey: configuration.secretAccessKey,
            region: configuration.region)
        self.transport = transport
        self.logger = logger
    }

    // MARK: - ObjectStore

    public func put(key: String, data: ByteBuffer) async throws {
        try ObjectKey.validate(key)
        let digest = SigV4Signer.sha256Hex(data)
        if let existing = try await headResponse(key: key) {
            try await requireIdentical(existing: existing, key: key, data: data, digest: digest)
            return
        }
        let written: Bool
        if data.readableBytes > configuration.multipartThreshold {
            written = try await uploadMultipart(key: key, data: data, digest: digest)
        } else {
            let response = try await perform(
                .PUT, objectKey: key, headers: [("x-amz-meta-sha256", digest), ("if-none-match", "*")],
                body: data, payloadHash: digest, operation: "PutObject")
            switch response.status.code {
            case 200: written = true
            case 409, 412: written = false
            default: throw failure(response, operation: "PutObject", key: key)
            }
        }
        if !written {
            // Another writer created the key between our check and our write; it must hold the same bytes.
            guard let existing = try await headResponse(key: key) else { throw ChunkStoreError.objectConflict(key) }
            try await requireIdentical(existing: existing, key: key, data: data, digest: digest)
        }
    }

    public func get(key: String, range: Range<Int64>?) async throws -> ByteBuffer {
        try ObjectKey.validate(key)
        guard let range else {
            let response = try await perform(.GET, objectKey: key, operation: "GetObject")
            guard response.status == .ok else { throw failure(response, operation: "GetObject", key: key) }
            return response.body
        }
        if range.isEmpty || range.lowerBound < 0 {
            // HTTP cannot ask for zero bytes, so check the bounds against the object's size instead.
            let size = try await requireSize(key: key)
            try Self.check(range, key: key, size: size)
            return ByteBuffer()
        }
        let response = try await perform(
            .GET, objectKey: key, headers: [("range", "bytes=\(range.lowerBound)-\(range.upperBound - 1)")],
            operation: "GetObject")
        switch response.status.code {
        case 206, 200:
            let size = Self.totalSize(response) ?? Int64(response.body.readableBytes)
            try Self.check(range, key: key, size: size)
            if response.status.code == 200 {
                return response.body.getSlice(at: response.body.readerIndex + Int(range.lowerBound), length: range.count)!
            }
            guard response.body.readableBytes == range.count else {
                throw ChunkStoreError.storeRequestFailed(
                    operation: "GetObject", key: key, status: 206, code: "ShortRangeBody")
            }
            return response.body
        case 416:
            try Self.check(range, key: key, size: try await requireSize(key: key))
            throw failure(response, operation: "GetObject", key: key)
        default:
            throw failure(response, operation: "GetObject", key: key)
        }
    }

    public func head(key: String) async throws -> ObjectInfo? {
        try ObjectKey.validate(key)
        guard let response = try await headResponse(key: key) else { return nil }
        return ObjectInfo(key: key, size: Self.contentLength(response))
    }

    public func list(prefix: String) async throws -> [ObjectInfo] {
        var results: [ObjectInfo] = []
        var continuation: String?
        repeat {
            var query = [("list-type", "2"), ("prefix", configuration.keyPrefix + prefix)]
            if let continuation { query.append(("continuation-token", continuation)) }
            let response = try await perform(.GET, objectKey: nil, query: query, operation: "ListObjectsV2")
            guard response.status == .ok, let root = S3XMLElement.parse(response.body), root.name == "ListBucketResult"
            else { throw failure(response, operation: "ListObjectsV2", key: prefix) }
            for entry in root.children(named: "Contents") {
                guard let fullKey = entry.child("Key")?.text, fullKey.hasPrefix(configuration.keyPrefix),
                    let size = entry.child("Size").flatMap({ Int64($0.text) })
                else { continue }
                results.append(ObjectInfo(key: String(fullKey.dropFirst(configuration.keyPrefix.count)), size: size))
            }
            let truncated = root.child("IsTruncated")?.text == "true"
            continuation = truncated ? root.child("NextContinuationToken")?.text : nil
            if truncated && (continuation ?? "").isEmpty {
                throw ChunkStoreError.storeRequestFailed(
                    operation: "ListObjectsV2", key: prefix, status: 200, code: "MissingContinuationToken")
            }
        } while continuation != nil
        results.sort { $0.key < $1.key }
        return results
    }

    public func delete(key: String) async throws {
        try ObjectKey.validate(key)
        let response = try await perform(.DELETE, objectKey: key, operation: "DeleteObject")
        guard [200, 204, 404].contains(response.status.code) else {
            throw failure(response, operation: "DeleteObject", key: key)
        }
    }

    // MARK: - Write-once

    private func requireIdentical(existing: S3Response, key: String, data: ByteBuffer, digest: String) async throws {
        guard Self.contentLength(existing) == Int64(data.readableBytes) else { throw ChunkStoreError.objectConflict(key) }
        if let stored = existing.headers.first(name: "x-amz-meta-sha256") {
            guard stored == digest else { throw ChunkStoreError.objectConflict(key) }
            return
        }
        // Written by another tool without our checksum: compare the bytes themselves.
        guard try await get(key: key, range: nil) == data else { throw ChunkStoreError.objectConflict(key) }
    }

    /// Uploads `data` in parts; returns `false` when the server refused completion because the key now exists.
    private func uploadMultipart(key: String, data: ByteBuffer, digest: String) async throws -> Bool {
        let created = try await perform(
            .POST, objectKey: key, query: [("uploads", "")], headers: [("x-amz-meta-sha256", digest)],
            operation: "CreateMultipartUpload")
        guard created.status == .ok, let uploadID = S3XMLElement.parse(created.body)?.child("UploadId")?.text,
            !uploadID.isEmpty
        else { throw failure(created, operation: "CreateMultipartUpload", key: key) }
        logger.debug(
            "multipart upload started",
            metadata: ["lifeboat.key": "\(key)", "lifeboat.bytes": "\(data.readableBytes)"])
        do {
            var completion = "<CompleteMultipartUpload>"
            var offset = 0
            var partNumber = 1
            while offset < data.readableBytes {
                let length = min(configuration.partSize, data.readableBytes - offset)
                let part = data.getSlice(at: data.readerIndex + offset, length: length)!
                let response = try await perform(
                    .PUT, objectKey: key, query: [("partNumber", "\(partNumber)"), ("uploadId", uploadID)], body: part,
                    operation: "UploadPart")
                guard response.status == .ok, let etag = response.headers.first(name: "etag") else {
                    throw failure(response, operation: "UploadPart", key: key)
                }
                completion += "<Part><PartNumber>\(partNumber)</PartNumber><ETag>\(Self.xmlEscaped(etag))</ETag></Part>"
                offset += length
                partNumber += 1
            }
            completion += "</CompleteMultipartUpload>"
            let response = try await perform(
                .POST, objectKey: key, query: [("uploadId", uploadID)], headers: [("if-none-match", "*")],
                body: ByteBuffer(string: completion), operation: "CompleteMultipartUpload")
            if response.status.code == 412 || response.status.code == 409 {
                await abortMultipart(key: key, uploadID: uploadID)
                return false
            }
            // CompleteMultipartUpload can fail after a 200 status line; the body then holds an <Error>.
            guard response.status == .ok, S3XMLElement.parse(response.body)?.name != "Error" else { throw failure(response, operation: "CompleteMultipartUpload", key: key) }
            return true
        } catch {
            await abortMultipart(key: key, uploadID: uploadID)
            throw error
        }
    }

    private func abortMultipart(key: String, uploadID: String) async {
        do {
            _ = try await perform(.DELETE, objectKey: key, query: [("uploadId", uploadID)], operation: "AbortMultipartUpload")
        } catch {
            // The upload stays invisible; a bucket lifecycle rule for incomplete uploads reclaims its parts.
            logger.info(
                "could not abort multipart upload", metadata: ["lifeboat.key": "\(key)", "lifeboat.error": "\(error)"])
        }
    }

    // MARK: - Reading helpers

    private func headResponse(key: String) async throws -> S3Response? {
        let response = try await perform(.HEAD, objectKey: key, operation: "HeadObject")
        switch response.status.code {
        case 200: return response
        case 404: return nil
        default: throw failure(response, operation: "HeadObject", key: key)
        }
    }

    private func requireSize(key: String) async throws -> Int64 {
        guard let existing = try await headResponse(key: key) else { throw ChunkStoreError.objectNotFound(key) }
        return Self.contentLength(existing)
    }

    private static func check(_ range: Range<Int64>, key: String, size: Int64) throws {
        guard range.lowerBound >= 0, range.upperBound <= size else {
            throw ChunkStoreError.rangeNotSatisfiable(
                key: key, lowerBound: range.lowerBound, upperBound: range.upperBound, size: size)
        }
    }

    private static func contentLength(_ response: S3Response) -> Int64 {
        response.headers.first(name: "content-length").flatMap { Int64($0) } ?? Int64(response.body.readableBytes)
    }

    /// The object's total size from a `Content-Range: bytes a-b/total` header.
    private static func totalSize(_ response: S3Response) -> Int64? {
        guard let value = response.headers.first(name: "content-range"), let slash = value.lastIndex(of: "/") else {
            return nil
        }
        return Int64(value[value.index(after: slash)...])
    }

    private static func xmlEscaped(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;")
    }

    // MARK: - Requests

    /// Maps an unexpected response to a typed error; 404 with `NoSuchKey` means the object is missing.
    func failure(_ response: S3Response, operation: String, key: String) -> ChunkStoreError {
        let code = response.errorCode
        if response.status == .notFound && (code == "NoSuchKey" || response.body.readableBytes == 0 && operation != "ListObjectsV2") {
            return .objectNotFound(key)
        }
        return .storeRequestFailed(operation: operation, key: key, status: Int(response.status.code), code: code)
    }

    /// Signs and sends one request, retrying 5xx, throttling and connection failures with jittered backoff.
    ///
    /// Returns every other response, except that 401/403 throw `ChunkStoreError.storeAccessDenied`.
    func perform(
        _ method: HTTPMethod, objectKey: String?, query: [(String, String)] = [], headers: [(String, String)] = [],
        body: ByteBuffer? = nil, payloadHash: String? = nil, operation: String
    ) async throws -> S3Response {
        let hash = payloadHash ?? body.map(SigV4Signer.sha256Hex)
            ?? SigV4Signer.emptyPayloadHash
        let policy = configuration.retryPolicy
        let subject = objectKey ?? ""
        var generator = SystemRandomNumberGenerator()
        var attempt = 1
        while true {
            let request = makeRequest(method, objectKey: objectKey, query: query, headers: headers, body: body, payloadHash: hash)
            let outcome: Result<S3Response, any Error>
            do {
                outcome = .success(try await transport.send(request, timeout: Self.timeAmount(configuration.requestTimeout)))
            } catch let error as CancellationError {
                throw error
            } catch {
                outcome = .failure(error)
            }
            let reason: String
            switch outcome {
            case .success(let response):
                let status = Int(response.status.code)
                if status == 401 || status == 403 {
                    throw ChunkStoreError.storeAccessDenied(bucket: configuration.bucket, code: response.errorCode)
                }
                guard policy.shouldRetry(status: status) else { return response }
                reason = "HTTP \(status) \(response.errorCode)"
            case .failure(let error):
                reason = String(describing: error)
            }
            guard attempt < policy.maximumAttempts else {
                throw ChunkStoreError.storeUnavailable(operation: operation, key: subject, reason: reason)
            }
            let delay = policy.delay(beforeRetry: attempt, using: &generator)
            logger.debug(
                "retrying object store request",
                metadata: [
                    "lifeboat.operation": "\(operation)", "lifeboat.key": "\(subject)", "lifeboat.attempt": "\(attempt)",
                    "lifeboat.reason": "\(reason)",
                ])
            try await Task.sleep(for: delay)
            attempt += 1
        }
    }

    private func makeRequest(
        _ method: HTTPMethod, objectKey: String?, query: [(String, String)], headers: [(String, String)],
        body: ByteBuffer?, payloadHash: String
    ) -> HTTPClientRequest {
        let endpoint = configuration.endpoint
        var host = endpoint.host!
        var path = endpoint.path.hasSuffix("/") ? String(endpoint.path.dropLast()) : endpoint.path
        switch configuration.addressingStyle {
        case .path: path += "/" + configuration.bucket
        case .virtualHosted: host = configuration.bucket + "." + host
        }
        if let port = endpoint.port { host += ":\(port)" }
        if let objectKey {
            path += "/" + SigV4Signer.uriEncode(configuration.keyPrefix + objectKey, encodeSlash: false)
        } else if path.isEmpty {
            path = "/"
        }
        let now = Date()
        var signed = headers
        signed.append(("host", host))
        signed.append(("x-amz-date", SigV4Signer.timestamp(now)))
        signed.append(("x-amz-content-sha256", payloadHash))
        let authorization = signer.authorization(
            method: method.rawValue, encodedPath: path, query: query, headers: signed, payloadHash: payloadHash, date: now)
        let queryString = query
            .map { SigV4Signer.uriEncode($0.0, encodeSlash: true) + "=" + SigV4Signer.uriEncode($0.1, encodeSlash: true) }
            .joined(separator: "&")
        var request = HTTPClientRequest(url: "\(endpoint.scheme!)://\(host)\(path)\(queryString.isEmpty ? "" : "?" + queryString)")
        request.method = method
        for (name, value) in signed { request.headers.add(name: name, value: value) }
        request.headers.add(name: "authorization", value: authorization)
        if let body {
            request.body = .bytes(body)
        } else if method == .PUT || method == .POST {
            request.headers.add(name: "content-length", value: "0")
        }
        return request
    }

    private static func timeAmount(_ duration: Duration) -> TimeAmount {
        .nanoseconds(duration.components.seconds * 1_000_000_000 + duration.components.attoseconds / 1_000_000_000)
    }
}
