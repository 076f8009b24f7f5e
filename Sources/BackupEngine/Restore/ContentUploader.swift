import ChunkStore
import Foundation
import M365Graph
import NIOCore

/// Uploads one backed-up version of a file from the repository to the tenant, streaming: small files in one request,
/// larger ones through an upload session in fragments, never more than one fragment in memory.
struct ContentUploader: Sendable {
    let graph: any GraphAPI
    let repository: Repository
    let limits: RestoreLimits

    /// Uploads the content `manifest` describes as `name` in folder `parentID` and returns the item Graph reports.
    /// - Throws: `RestoreItemFailure.sizeMismatch` when the repository yields another length than recorded,
    ///   `RestoreItemFailure.uploadIncomplete` when Graph never confirms the file; Graph and repository errors.
    func upload(
        _ manifest: ContentManifest, driveID: String, parentID: String, name: String, conflict: ConflictBehavior
    ) async throws -> GraphDriveItem {
        if manifest.size <= Int64(limits.simpleUploadLimit) {
            var content = ByteBuffer()
            for try await buffer in repository.read(manifest) {
                content.writeImmutableBuffer(buffer)
                guard content.readableBytes <= manifest.size else { break }
            }
            guard Int64(content.readableBytes) == manifest.size else {
                throw RestoreItemFailure.sizeMismatch(expected: manifest.size, read: Int64(content.readableBytes))
            }
            return try await graph.uploadSmallFile(
                driveID: driveID, parentID: parentID, name: name, content: content, conflict: conflict)
        }
        let session = try await graph.createUploadSession(driveID: driveID, parentID: parentID, name: name, conflict: conflict)
        do {
            return try await send(manifest, name: name, through: session)
        } catch {
            // The session URL is a credential to write this file: close it rather than leave it open until it expires.
            try? await graph.cancelUploadSession(session)
            throw error
        }
    }

    private func send(_ manifest: ContentManifest, name: String, through session: UploadSession) async throws -> GraphDriveItem {
        var pending = ByteBuffer()
        var offset: Int64 = 0
        var completed: GraphDriveItem?
        func send(_ fragment: ByteBuffer) async throws {
            let length = Int64(fragment.readableBytes)
            guard completed == nil, offset + length <= manifest.size else {
                throw RestoreItemFailure.sizeMismatch(expected: manifest.size, read: offset + length)
            }
            let result = try await graph.uploadFragment(session, offset: offset, totalSize: manifest.size, content: fragment)
            offset += length
            if case .completed(let item) = result { completed = item }
        }
        for try await buffer in repository.read(manifest) {
            pending.writeImmutableBuffer(buffer)
            while pending.readableBytes >= limits.fragmentSize, let fragment = pending.readSlice(length: limits.fragmentSize) {
                try await send(fragment)
            }
            pending.discardReadBytes()
        }
        if pending.readableBytes > 0 { try await send(pending) }
        guard offset == manifest.size else { throw RestoreItemFailure.sizeMismatch(expected: manifest.size, read: offset) }
        guard let completed else { throw RestoreItemFailure.uploadIncomplete(name: name) }
        return completed
    }
}
