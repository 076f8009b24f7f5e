import M365Graph
import M365Simulator
import NIOCore

/// A `GraphAPI` that passes every call to a real client but spoils the downloads of chosen items, the way a flaky
/// network, a broken proxy or a busy user would: the stream breaks after its first buffer, one byte arrives flipped,
/// an earlier version arrives short, or the item is deleted in the tenant just after delta listed it.
struct FaultInjectingGraph: GraphAPI {
    /// What happens to an item's download.
    enum Fault: Sendable {
        /// The connection drops after the first buffer (a `GraphError.transport`, as `GraphContent` reports it).
        case interruptDownload
        /// The first byte of the stream arrives with its bits inverted.
        case corruptFirstByte
        /// Downloads of earlier versions (not the current content) arrive without their first byte.
        case truncateEarlierVersions
        /// Someone deletes the item from `tenant` between the delta page and the first request about it.
        case deletedBeforeDownload(SimulatedTenant)
        /// Graph answers 404 `itemNotFound` about the item (its versions, content and metadata) for this client's
        /// lifetime, though the item exists: a transient 404 of a busy or replicating service.
        case transientlyNotFound
        /// Keyed by a drive id: every delta request of the drive answers 410 `resyncRequired` with this `Location`,
        /// which answers 410 too, as does an enumeration from scratch.
        case expiredDelta(location: String)
        /// The download says it started (yields to `started`), then hangs until its task is cancelled: a run caught
        /// mid-transfer, for tests that interrupt it.
        case hangDownload(started: AsyncStream<Void>.Continuation)
    }

    let base: any GraphAPI
    /// Faults by item id; they apply to the current content and to every version of the item unless they say otherwise.
    let faults: [String: Fault]

    func users() async throws -> [GraphUser] { try await base.users() }
    func userDrive(userPrincipalName: String) async throws -> GraphDrive { try await base.userDrive(userPrincipalName: userPrincipalName) }
    func site(url: String) async throws -> GraphSite { try await base.site(url: url) }
    func rootSites() async throws -> [GraphSite] { try await base.rootSites() }
    func subsites(siteID: String) async throws -> [GraphSite] { try await base.subsites(siteID: siteID) }
    func drives(siteID: String) async throws -> [GraphDrive] { try await base.drives(siteID: siteID) }
    func delta(driveID: String, link: String?) async throws -> DeltaPage {
        if case .expiredDelta(let location) = faults[driveID] { throw GraphError.resyncRequired(location: location) }
        return try await base.delta(driveID: driveID, link: link)
    }
    func withTransferSlot<Result: Sendable>(_ operation: @Sendable () async throws -> Result) async throws -> Result {
        try await base.withTransferSlot(operation)
    }
    func item(driveID: String, itemID: String) async throws -> GraphDriveItem {
        if case .transientlyNotFound = faults[itemID] { throw Self.notFound }
        return try await base.item(driveID: driveID, itemID: itemID)
    }

    static let notFound = GraphError.service(status: 404, code: "itemNotFound", message: "The resource could not be found.", requestID: nil)
    func child(driveID: String, parentID: String, name: String) async throws -> GraphDriveItem {
        try await base.child(driveID: driveID, parentID: parentID, name: name)
    }
    func children(driveID: String, itemID: String) async throws -> [GraphDriveItem] {
        try await base.children(driveID: driveID, itemID: itemID)
    }
    func versions(driveID: String, itemID: String) async throws -> [GraphItemVersion] {
        if case .deletedBeforeDownload(let tenant) = faults[itemID] {
            try? await tenant.delete(driveID: driveID, itemID: itemID)
        }
        if case .transientlyNotFound = faults[itemID] { throw Self.notFound }
        return try await base.versions(driveID: driveID, itemID: itemID)
    }

    func content(driveID: String, itemID: String, versionID: String?) async throws -> GraphContent {
        if case .transientlyNotFound = faults[itemID] { throw Self.notFound }
        if case .hangDownload(let started) = faults[itemID] {
            started.yield()
            try await Task.sleep(for: .seconds(3600))
        }
        let content = try await base.content(driveID: driveID, itemID: itemID, versionID: versionID)
        switch faults[itemID] {
        case .interruptDownload?:
            return GraphContent(contentLength: content.contentLength, bytes: SpoiledStream(base: content, fault: .interruptDownload))
        case .corruptFirstByte?:
            return GraphContent(contentLength: content.contentLength, bytes: SpoiledStream(base: content, fault: .corruptFirstByte))
        case .truncateEarlierVersions? where versionID != nil:
            return GraphContent(contentLength: content.contentLength, bytes: SpoiledStream(base: content, fault: .truncateEarlierVersions))
        case .truncateEarlierVersions?, .deletedBeforeDownload?, .transientlyNotFound?, .expiredDelta?, .hangDownload?, nil:
            return content
        }
    }

    func createFolder(driveID: String, parentID: String, name: String, conflict: M365Graph.ConflictBehavior) async throws -> GraphDriveItem {
        try await base.createFolder(driveID: driveID, parentID: parentID, name: name, conflict: conflict)
    }
    func uploadSmallFile(
        driveID: String, parentID: String, name: String, content: ByteBuffer, conflict: M365Graph.ConflictBehavior
    ) async throws -> GraphDriveItem {
        try await base.uploadSmallFile(driveID: driveID, parentID: parentID, name: name, content: content, conflict: conflict)
    }
    func createUploadSession(driveID: String, parentID: String, name: String, conflict: M365Graph.ConflictBehavior) async throws -> UploadSession {
        try await base.createUploadSession(driveID: driveID, parentID: parentID, name: name, conflict: conflict)
    }
    func cancelUploadSession(_ session: UploadSession) async throws {
        try await base.cancelUploadSession(session)
    }

    func uploadFragment(_ session: UploadSession, offset: Int64, totalSize: Int64, content: ByteBuffer) async throws
        -> UploadFragmentResult
    {
        try await base.uploadFragment(session, offset: offset, totalSize: totalSize, content: content)
    }
    func uploadSessionStatus(_ session: UploadSession) async throws -> UploadSessionStatus {
        try await base.uploadSessionStatus(session)
    }

    /// The real download with one fault applied.
    struct SpoiledStream: AsyncSequence, Sendable {
        typealias Element = ByteBuffer
        let base: GraphContent
        let fault: Fault

        struct AsyncIterator: AsyncIteratorProtocol {
            var base: GraphContent.AsyncIterator
            let fault: Fault
            var nextCalls = 0

            mutating func next() async throws -> ByteBuffer? {
                nextCalls += 1
                switch fault {
                case .interruptDownload:
                    // The first buffer arrives, then the connection drops (even if nothing else was left to send).
                    guard nextCalls == 1, let buffer = try await base.next() else {
                        throw GraphError.transport("download interrupted: connection reset by peer (injected)")
                    }
                    return buffer
                case .corruptFirstByte:
                    guard var buffer = try await base.next() else { return nil }
                    if nextCalls == 1, buffer.readableBytes > 0 {
                        let index = buffer.readerIndex
                        buffer.setInteger(~buffer.getInteger(at: index, as: UInt8.self)!, at: index)
                    }
                    return buffer
                case .truncateEarlierVersions:
                    guard var buffer = try await base.next() else { return nil }
                    if nextCalls == 1, buffer.readableBytes > 0 { buffer.moveReaderIndex(forwardBy: 1) }
                    return buffer
                case .deletedBeforeDownload, .transientlyNotFound, .expiredDelta, .hangDownload:
                    return try await base.next()
                }
            }
        }

        func makeAsyncIterator() -> AsyncIterator {
            AsyncIterator(base: base.makeAsyncIterator(), fault: fault)
        }
    }
}
