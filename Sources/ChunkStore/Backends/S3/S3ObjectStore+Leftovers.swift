import Foundation
import NIOHTTP1

extension S3ObjectStore {
    /// Aborts the incomplete multipart uploads of the repository's packs and index files that were initiated more than `age` ago
    /// (a pack upload killed before completing or aborting it), so their parts stop being stored and billed. `bytes`
    /// stays zero: listing uploads does not tell their parts' sizes.
    public func removeLeftovers(olderThan age: Duration) async throws -> StoreLeftovers {
        let cutoff = Date().addingTimeInterval(-Double(age.components.seconds))
        var removed = StoreLeftovers()
        var keyMarker: String?
        var uploadMarker: String?
        while true {
            var query = [("uploads", ""), ("prefix", configuration.keyPrefix)]
            if let keyMarker { query.append(("key-marker", keyMarker)) }
            if let uploadMarker { query.append(("upload-id-marker", uploadMarker)) }
            let response = try await perform(.GET, objectKey: nil, query: query, operation: "ListMultipartUploads")
            guard response.status == .ok, let root = S3XMLElement.parse(response.body), root.name == "ListMultipartUploadsResult"
            else { throw failure(response, operation: "ListMultipartUploads", key: configuration.keyPrefix) }
            for upload in root.children(named: "Upload") {
                guard let fullKey = upload.child("Key")?.text, fullKey.hasPrefix(configuration.keyPrefix),
                    let uploadID = upload.child("UploadId")?.text, !uploadID.isEmpty,
                    let initiated = upload.child("Initiated").flatMap({ Self.instant($0.text) }), initiated < cutoff
                else { continue }
                let key = String(fullKey.dropFirst(configuration.keyPrefix.count))
                // Only the repository's own large objects go up in parts; a bucket shared with other data (an empty
                // prefix) may hold other writers' uploads, which are not ours to abort.
                guard Self.multipartNamespaces.contains(where: key.hasPrefix) else { continue }
                let aborted = try await perform(.DELETE, objectKey: key, query: [("uploadId", uploadID)], operation: "AbortMultipartUpload")
                guard [200, 204, 404].contains(aborted.status.code) else {
                    throw failure(aborted, operation: "AbortMultipartUpload", key: key)
                }
                removed.count += 1
            }
            guard root.child("IsTruncated")?.text == "true" else { return removed }
            let nextKey = root.child("NextKeyMarker")?.text
            let nextUpload = root.child("NextUploadIdMarker")?.text
            guard let nextKey, !nextKey.isEmpty, nextKey != keyMarker || nextUpload != uploadMarker else {
                throw ChunkStoreError.storeRequestFailed(
                    operation: "ListMultipartUploads", key: configuration.keyPrefix, status: 200, code: "MissingNextMarker")
            }
            keyMarker = nextKey
            uploadMarker = nextUpload
        }
    }

    /// Where the repository's multipart uploads go: packs, and index files large enough.
    static let multipartNamespaces = ["packs/", "index/"]

    /// An S3 timestamp (`2026-11-25T04:50:00.000Z`, fractional seconds optional).
    static func instant(_ text: String) -> Date? {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        return (try? Date(trimmed, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true)))
            ?? (try? Date(trimmed, strategy: Date.ISO8601FormatStyle()))
    }
}
