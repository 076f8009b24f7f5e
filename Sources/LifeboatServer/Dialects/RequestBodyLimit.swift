import Hummingbird
import NIOCore
import NIOHTTP1

/// The largest body each operation reads, and the one way handlers read a body within it.
///
/// Limits fit what the operation takes: a token form or an options object is a few hundred bytes, a restore lists at
/// most a few thousand ids. A longer body is `RequestError.bodyTooLarge` (413 in the caller's dialect); a declared
/// `Content-Length` over the limit is refused before any of the body is read.
enum RequestBodyLimit {
    /// `POST /v6/Token`, `POST /connect/token`: a form or JSON object of a few fields.
    static let tokenForm = 16 * 1024
    /// `RESTStartJobOptions`, `RESTExploreOptions`: a handful of scalar fields.
    static let options = 16 * 1024
    /// `PUT /v6/Jobs/{jobId}`: a `RESTJob` sent back with its selected and excluded items (a job may select a few
    /// thousand users or sites, a few hundred bytes each).
    static let job = 1 << 20
    /// Veeam's OneDrive actions: a list of OneDrive ids (about 100 bytes each) with the restore options.
    static let oneDriveAction = 1 << 20
    /// AvePoint's restore job: at most 20 paths with their options.
    static let avePointRestoreJob = 256 * 1024
}

extension Request {
    /// The whole body, when it is at most `limit` bytes; otherwise `RequestError.bodyTooLarge`.
    func collectBody(upTo limit: Int) async throws -> ByteBuffer {
        if let declared = headers[.contentLength].flatMap(Int.init), declared > limit {
            throw RequestError.bodyTooLarge(limit: limit)
        }
        do {
            return try await body.collect(upTo: limit)
        } catch is NIOTooManyBytesError {
            throw RequestError.bodyTooLarge(limit: limit)
        } catch let error as HTTPParserError {
            // The client closed (or was closed at the body timeout) before its body ended: its fault, not the server's.
            throw RequestError.invalidBody("the body ended before it was complete (\(error))")
        }
    }
}
