import NIOCore

/// What to do when an upload or a new folder meets an existing item of the same name.
public enum ConflictBehavior: String, Sendable, Hashable {
    case fail
    case replace
    case rename
}

/// The Microsoft Graph calls Lifeboat makes: discovery, delta enumeration, downloads, uploads.
///
/// Implementations retry transient failures and honour throttling themselves; what they throw is final
/// for that call. Knows nothing of backups.
public protocol GraphAPI: Sendable {
    /// Every user of the tenant.
    func users() async throws -> [GraphUser]
    /// A user's OneDrive. Throws `GraphError.service(404...)` when the user has none.
    func userDrive(userPrincipalName: String) async throws -> GraphDrive
    /// A site by its absolute URL (`https://contoso.sharepoint.com/sites/Finance`).
    func site(url: String) async throws -> GraphSite
    /// Every top-level site collection (not personal sites).
    func rootSites() async throws -> [GraphSite]
    /// Direct subsites of a site.
    func subsites(siteID: String) async throws -> [GraphSite]
    /// Document libraries of a site.
    func drives(siteID: String) async throws -> [GraphDrive]
    /// One page of delta: from the start of the drive when `link` is nil, else from a next or delta link.
    /// Throws `GraphError.resyncRequired` when a stored delta link is no longer valid.
    func delta(driveID: String, link: String?) async throws -> DeltaPage
    /// One item.
    func item(driveID: String, itemID: String) async throws -> GraphDriveItem
    /// The item named `name` (case-insensitive, as OneDrive compares names) in folder `parentID`.
    /// Throws `GraphError.service(404...)` when the folder has no such child.
    func child(driveID: String, parentID: String, name: String) async throws -> GraphDriveItem
    /// Children of a folder.
    func children(driveID: String, itemID: String) async throws -> [GraphDriveItem]
    /// An item's version history, newest first.
    func versions(driveID: String, itemID: String) async throws -> [GraphItemVersion]
    /// Version histories of many items of one drive, newest first, asked together where the implementation can
    /// (JSON batches) to save round trips. Best effort: an item missing from the answer (its request failed, or this
    /// implementation does not batch) is to be asked with `versions(driveID:itemID:)`, which retries and throws.
    func versions(driveID: String, itemIDs: [String]) async -> [String: [GraphItemVersion]]
    /// Streams an item's current content, or one of its earlier versions.
    func content(driveID: String, itemID: String, versionID: String?) async throws -> GraphContent
    /// Streams a listed file's current content from the `@microsoft.graph.downloadUrl` its listing carried, which saves
    /// the `/content` call (and its resource unit); without one, or once it expired, through `/content`.
    func currentContent(driveID: String, listed item: GraphDriveItem) async throws -> GraphContent
    /// Creates a folder under `parentID`.
    func createFolder(driveID: String, parentID: String, name: String, conflict: ConflictBehavior) async throws -> GraphDriveItem
    /// Uploads a small file in one request (keep to a few MiB).
    func uploadSmallFile(
        driveID: String, parentID: String, name: String, content: ByteBuffer, conflict: ConflictBehavior
    ) async throws -> GraphDriveItem
    /// Starts a resumable upload of a large file.
    func createUploadSession(
        driveID: String, parentID: String, name: String, conflict: ConflictBehavior
    ) async throws -> UploadSession
    /// Cancels an upload session so its pre-authenticated URL stops accepting bytes (a session already gone is fine).
    func cancelUploadSession(_ session: UploadSession) async throws
    /// Sends one fragment of an upload session; fragments but the last must be multiples of 320 KiB.
    ///
    /// One attempt (throttling aside): a broken connection, a 5xx or a 416 leaves the caller to ask
    /// `uploadSessionStatus` where to go on, since the fragment may or may not have been stored.
    func uploadFragment(
        _ session: UploadSession, offset: Int64, totalSize: Int64, content: ByteBuffer
    ) async throws -> UploadFragmentResult
    /// What an upload session still expects (`GET uploadUrl`), to resume after a fragment failed.
    /// Throws `GraphError.service(404...)` when the session is gone: expired, cancelled, or completed.
    func uploadSessionStatus(_ session: UploadSession) async throws -> UploadSessionStatus
    /// Runs `operation` (a file's whole transfer, say) holding one of the tenant's places in flight, so the
    /// tenant's adaptive concurrency bounds it; the Graph calls it makes take no further place.
    ///
    /// Waits while the tenant has no place free. Implementations without adaptive concurrency just run it.
    func withTransferSlot<Result: Sendable>(_ operation: @Sendable () async throws -> Result) async throws -> Result
}

extension GraphAPI {
    /// Answers nothing: this implementation does not batch, so every item is asked alone.
    public func versions(driveID: String, itemIDs: [String]) async -> [String: [GraphItemVersion]] { [:] }

    /// Streams the current content through `/content`: this implementation makes no use of listed download URLs.
    public func currentContent(driveID: String, listed item: GraphDriveItem) async throws -> GraphContent {
        try await content(driveID: driveID, itemID: item.id, versionID: nil)
    }

    /// Runs `operation` unbounded: this implementation has no adaptive concurrency.
    public func withTransferSlot<Result: Sendable>(_ operation: @Sendable () async throws -> Result) async throws -> Result {
        try await operation()
    }
}

/// A resumable upload started with `createUploadSession`.
public struct UploadSession: Sendable, Hashable {
    /// Where fragments go (pre-authenticated: no Authorization header).
    public var uploadURL: String

    /// Creates a session handle.
    public init(uploadURL: String) {
        self.uploadURL = uploadURL
    }

    /// Fragments must be multiples of this size (320 KiB), except the last.
    public static let fragmentQuantum = 327_680
}

/// Where an upload session stands, as `GET uploadUrl` reports it.
public struct UploadSessionStatus: Sendable, Hashable {
    /// Byte ranges the session still needs (`"26-"`, `"0-25"`...), in order.
    public var nextExpectedRanges: [String]

    /// Creates a status.
    public init(nextExpectedRanges: [String]) {
        self.nextExpectedRanges = nextExpectedRanges
    }

    /// The first byte the session still needs, or nil when it reports nothing missing (or nothing readable).
    public var firstExpectedOffset: Int64? {
        nextExpectedRanges.lazy.compactMap { range in
            range.split(separator: "-", maxSplits: 1, omittingEmptySubsequences: false).first.flatMap { Int64($0) }
        }.min()
    }
}

/// What Graph answered to an upload fragment.
public enum UploadFragmentResult: Sendable {
    /// More is expected, starting at these ranges (`"26-"`, `"0-25"`...).
    case incomplete(nextExpectedRanges: [String])
    /// The upload is complete and the item exists.
    case completed(GraphDriveItem)
}
