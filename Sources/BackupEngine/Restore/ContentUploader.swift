import ChunkStore
import Foundation
import M365Graph
import NIOCore
import QuickXorHash

/// Uploads one backed-up version of a file from the repository to the tenant, streaming: small files in one request,
/// larger ones through an upload session in fragments.
///
/// Upload sessions survive their faults: a fragment lost to a broken connection, a 5xx or a 416 is followed by asking
/// the session where it stands (`nextExpectedRanges`) and going on from there; a session that expired (404) is replaced
/// by a new one, and the file starts again, at most `maxSessionRestarts` times. Memory per upload stays bounded by
/// `FragmentReader`: one fragment and one repository buffer (a chunk, at most 4 MiB by default); resuming before the
/// bytes still held re-reads the file from the repository instead of keeping more.
struct ContentUploader: Sendable {
    let graph: any GraphAPI
    let repository: Repository
    let limits: RestoreLimits
    /// New sessions opened for one file after its session expired mid-upload.
    var maxSessionRestarts = 2
    /// Failed fragments in a row, with no byte accepted in between, before the upload gives up.
    var maxFragmentFailures = 6
    /// Pause after a fragment lost to a broken connection or a 5xx; doubles with each failure in a row, with jitter.
    var initialBackoff: Duration = .milliseconds(100)

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
            // The client retries this one on its own, and recognises a `fail` upload that went through before its retry.
            return try await graph.uploadSmallFile(
                driveID: driveID, parentID: parentID, name: name, content: content, conflict: conflict)
        }
        let target = Target(driveID: driveID, parentID: parentID, name: name)
        var restarts = 0
        while true {
            let session = try await graph.createUploadSession(driveID: driveID, parentID: parentID, name: name, conflict: conflict)
            do {
                return try await send(manifest, to: target, through: session)
            } catch let gone as SessionGone {
                if gone.finalFragmentMayHaveLanded, let item = try await landedEarlier(manifest, at: target) { return item }
                guard restarts < maxSessionRestarts else { throw gone.error }
                restarts += 1
            } catch {
                // The session URL is a credential to write this file: close it rather than leave it open until it expires.
                try? await graph.cancelUploadSession(session)
                throw error
            }
        }
    }

    /// Where an upload goes.
    private struct Target {
        var driveID: String
        var parentID: String
        var name: String
    }

    /// The session stopped existing (404) before it confirmed the file.
    private struct SessionGone: Error {
        /// What Graph answered.
        var error: any Error
        /// Whether the last fragment went out and failed in a way that leaves open whether Graph committed the file:
        /// the session is then gone because it completed.
        var finalFragmentMayHaveLanded: Bool
    }

    /// Sends the whole content through `session`, resuming where the session says after every failed fragment.
    private func send(_ manifest: ContentManifest, to target: Target, through session: UploadSession) async throws -> GraphDriveItem {
        var reader = FragmentReader(repository: repository, manifest: manifest, fragmentSize: limits.fragmentSize)
        var offset: Int64 = 0
        var failures = 0
        var finalMayHaveLanded = false
        while let fragment = try await reader.fragment(at: offset) {
            let end = offset + Int64(fragment.readableBytes)
            do {
                switch try await graph.uploadFragment(session, offset: offset, totalSize: manifest.size, content: fragment) {
                case .completed(let item):
                    return item
                case .incomplete(let ranges):
                    failures = 0
                    offset = UploadSessionStatus(nextExpectedRanges: ranges).firstExpectedOffset ?? end
                }
                continue
            } catch let error as GraphError where error.isNotFound {
                throw SessionGone(error: error, finalFragmentMayHaveLanded: finalMayHaveLanded)
            } catch let error as GraphError where Self.isResumable(error) {
                failures += 1
                guard failures < maxFragmentFailures else { throw error }
                if end == manifest.size, Self.mayHaveLanded(error) { finalMayHaveLanded = true }
                if !Self.isRangeRejection(error) {
                    try await Task.sleep(for: initialBackoff * (1 << min(failures - 1, 10)) * Double.random(in: 0.5...1.5))
                }
            }
            let status: UploadSessionStatus
            do {
                status = try await graph.uploadSessionStatus(session)
            } catch let error as GraphError where error.isNotFound {
                throw SessionGone(error: error, finalFragmentMayHaveLanded: finalMayHaveLanded)
            }
            // A status without a readable range says nothing new: send the same fragment again.
            offset = status.firstExpectedOffset ?? offset
        }
        throw RestoreItemFailure.uploadIncomplete(name: target.name)
    }

    /// The file Graph committed from an earlier session whose last answer was lost, or nil when what is there now is
    /// not this content (same size and quickXorHash, read again from the repository to check).
    private func landedEarlier(_ manifest: ContentManifest, at target: Target) async throws -> GraphDriveItem? {
        guard let existing = try? await graph.child(driveID: target.driveID, parentID: target.parentID, name: target.name),
            existing.size == manifest.size, let reported = existing.file?.hashes?.quickXorHash
        else { return nil }
        var hasher = QuickXorHasher()
        for try await buffer in repository.read(manifest) {
            buffer.withUnsafeReadableBytes { hasher.update($0) }
        }
        return hasher.finalizeBase64() == reported ? existing : nil
    }

    /// Failures after which the session is asked where it stands: the fragment may or may not have been stored.
    private static func isResumable(_ error: GraphError) -> Bool {
        switch error {
        case .transport: true
        case .service(let status, _, _, _): status == 416 || (500...599).contains(status)
        default: false
        }
    }

    /// Whether Graph answered 416: the fragment did not start where the session is, so there is no reason to wait.
    private static func isRangeRejection(_ error: GraphError) -> Bool {
        if case .service(416, _, _, _) = error { return true }
        return false
    }

    /// Whether the fragment may have been stored although its answer said otherwise or never came.
    private static func mayHaveLanded(_ error: GraphError) -> Bool {
        !isRangeRejection(error)
    }
}

/// Cuts a file's repository stream into upload fragments from any offset.
///
/// Holds the bytes from the last requested offset on (at most one fragment plus the repository buffer that overran
/// it), so a fragment asked for again comes from memory; an offset before those bytes restarts the stream from the
/// repository and skips to it.
struct FragmentReader {
    let repository: Repository
    let manifest: ContentManifest
    let fragmentSize: Int
    private var stream: AsyncThrowingStream<ByteBuffer, any Error>.AsyncIterator?
    /// Bytes read and not yet let go of; the first is at `heldStart`.
    private var held = ByteBuffer()
    private var heldStart: Int64 = 0
    private var ended = false
    /// How many times the stream was read again from the start.
    private(set) var rereads = 0

    init(repository: Repository, manifest: ContentManifest, fragmentSize: Int) {
        self.repository = repository
        self.manifest = manifest
        self.fragmentSize = max(1, fragmentSize)
    }

    /// The fragment starting at `offset`: `fragmentSize` bytes, fewer at the end; nil at or past the end of the content.
    /// - Throws: `RestoreItemFailure.sizeMismatch` when the repository yields another length than the manifest records.
    mutating func fragment(at offset: Int64) async throws -> ByteBuffer? {
        guard offset >= 0, offset < manifest.size else { return nil }
        if stream == nil || offset < heldStart {
            if stream != nil { rereads += 1 }
            stream = repository.read(manifest).makeAsyncIterator()
            held = ByteBuffer()
            heldStart = 0
            ended = false
        }
        let wanted = Int(min(Int64(fragmentSize), manifest.size - offset))
        while true {
            let heldEnd = heldStart + Int64(held.readableBytes)
            if offset > heldStart {
                let drop = Int(min(offset, heldEnd) - heldStart)
                held.moveReaderIndex(forwardBy: drop)
                heldStart += Int64(drop)
            }
            if heldStart == offset, held.readableBytes >= wanted { break }
            guard !ended, let buffer = try await stream?.next() else {
                ended = true
                throw RestoreItemFailure.sizeMismatch(expected: manifest.size, read: heldEnd)
            }
            held.discardReadBytes()
            held.writeImmutableBuffer(buffer)
            if heldStart + Int64(held.readableBytes) > manifest.size {
                throw RestoreItemFailure.sizeMismatch(expected: manifest.size, read: heldStart + Int64(held.readableBytes))
            }
        }
        return held.getSlice(at: held.readerIndex, length: wanted)
    }
}
