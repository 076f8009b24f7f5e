import Foundation

/// An upload session in progress: where the file goes and the bytes received so far.
struct UploadSessionState: Sendable {
    var driveID: String
    var parentID: String
    var name: String
    var conflict: ConflictBehavior
    var fileSystemInfo: FileSystemInfo?
    var expiresAt: Date
    var total: Int?
    var received: [UInt8]
    /// Fragments the session still accepts before the fault plan expires it; nil when it lives its normal life.
    var fragmentAllowance: Int? = nil
    /// Whether the fault plan expired the session: it answers 404 like a session past its lifetime, and stays known as
    /// expired so the request log can say why.
    var expiredByFault = false
}

/// Result of accepting one upload fragment.
enum UploadFragmentResult: Sendable {
    /// More bytes are expected from `nextExpected`.
    case incomplete(nextExpected: Int, expiresAt: Date)
    /// The file was committed; `created` is false when an existing file was replaced.
    case complete(item: SimulatedItem, created: Bool)
}
