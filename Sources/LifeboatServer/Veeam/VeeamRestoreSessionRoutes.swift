import Catalog
import Foundation
import HTTPTypes
import Hummingbird
import LifeboatModel

/// The Veeam dialect's restore sessions (`/v6`): `explore` a job at a point in time (seed 001), list, read and stop
/// sessions, read their events, and browse the OneDrives a session holds (seed 002's `id`s and `_links`).
///
/// A session browses the job's restore point taken at or before the time asked for, with the session's
/// `showDeleted`/`showAllVersions`; a time before the job's first backup gives a session with no data, whose listings
/// are empty. A stopped session can still be read, but browsing it is a 409 (`OperationConflict` in later versions).
struct VeeamRestoreSessionRoutes {
    let catalog: any CatalogStore

    /// Adds the routes to the `/v6` group (paths are matched case-insensitively by the router).
    func addRoutes(to group: RouterGroup<LifeboatRequestContext>) {
        group.post("Jobs/{jobId}/explore", use: explore)
        group.get("RestoreSessions", use: listSessions)
        group.get("RestoreSessions/{restoreSessionId}", use: getSession)
        group.post("RestoreSessions/{restoreSessionId}/Stop", use: stopSession)
        group.get("RestoreSessions/{restoreSessionId}/Events", use: listEvents)
        group.get("RestoreSessions/{restoreSessionId}/Events/{eventId}", use: getEvent)
        group.get("RestoreSessions/{restoreSessionId}/Organization", use: getOrganization)
        let oneDrives = "RestoreSessions/{restoreSessionId}/Organization/OneDrives"
        group.get(RouterPath(oneDrives), use: listOneDrives)
        group.get(RouterPath("\(oneDrives)/{oneDriveId}"), use: getOneDrive)
        group.get(RouterPath("\(oneDrives)/{oneDriveId}/Folders"), use: listFolders)
        group.get(RouterPath("\(oneDrives)/{oneDriveId}/Folders/{folderId}"), use: getFolder)
        group.get(RouterPath("\(oneDrives)/{oneDriveId}/Documents"), use: listDocuments)
        group.get(RouterPath("\(oneDrives)/{oneDriveId}/Documents/{documentId}"), use: getDocument)
        group.get(RouterPath("\(oneDrives)/{oneDriveId}/Documents/{documentId}/Versions"), use: listDocumentVersions)
    }

    // MARK: Sessions

    /// `POST /v6/Jobs/{jobId}/explore`: opens a session on the job's restore point at `dateTime` and answers it.
    ///
    /// `Veod` and `Vesp` sessions are opened; `Vex` and `Vet` are refused (Lifeboat backs up neither Exchange nor
    /// Teams). A time before the first backup opens a session with no data, a time after the last the latest point.
    @Sendable func explore(_ request: Request, context: LifeboatRequestContext) async throws -> Response {
        let jobID = try context.parameters.requireUUID("jobId")
        let principal = try context.requirePrincipal()
        let options = try RESTExploreOptions(json: try await request.collectBody(upTo: RequestBodyLimit.options))
        guard let job = try await catalog.job(id: jobID) else { throw RequestError.notFound(resource: "Job", id: jobID.veeamID) }
        let organization = try await organization(id: job.organizationID)
        let point = try await catalog.latestRestorePoint(
            organizationID: job.organizationID, jobID: job.id, notAfter: options.dateTime)
        let session = RestoreSession(
            organizationID: job.organizationID, jobID: job.id, kind: options.kind, requestedTime: options.dateTime,
            restorePointSequence: point?.sequence, showDeleted: options.showDeleted,
            showAllVersions: options.showAllVersions, initiatedBy: principal.name,
            name: RESTRestoreSession.name(kind: options.kind, jobName: job.name, time: options.dateTime))
        try await catalog.insertRestoreSession(session)
        return try JSONResponse.make(
            RESTRestoreSession(session, organizationName: organization.name, clientHost: Self.clientHost(request)))
    }

    /// `GET /v6/RestoreSessions`: every session, oldest first, paged; `startTimeFrom`/`startTimeTo` bound the
    /// creation time (inclusive).
    @Sendable func listSessions(_ request: Request, context: LifeboatRequestContext) async throws -> Response {
        let query = CaseInsensitiveQuery(request)
        let page = try PageQuery(query)
        let from = try Self.time(query, "startTimeFrom")
        let to = try Self.time(query, "startTimeTo")
        let sessions = try await catalog.restoreSessions().filter { session in
            (from.map { session.createdAt >= $0 } ?? true) && (to.map { session.createdAt <= $0 } ?? true)
        }
        let names = Dictionary(
            try await catalog.organizations().map { ($0.id, $0.name) }, uniquingKeysWith: { first, _ in first })
        let host = Self.clientHost(request)
        let answer = sessions.map {
            RESTRestoreSession($0, organizationName: names[$0.organizationID] ?? "", clientHost: host)
        }
        return try JSONResponse.make(page.page(answer, request: request))
    }

    /// `GET /v6/RestoreSessions/{restoreSessionId}`.
    @Sendable func getSession(_ request: Request, context: LifeboatRequestContext) async throws -> Response {
        let session = try await session(context)
        let organization = try await organization(id: session.organizationID)
        return try JSONResponse.make(
            RESTRestoreSession(session, organizationName: organization.name, clientHost: Self.clientHost(request)))
    }

    /// `POST /v6/RestoreSessions/{restoreSessionId}/Stop`: the session stops (its end time recorded) and answers 200
    /// with no body, as the schema says; stopping a stopped session changes nothing.
    @Sendable func stopSession(_ request: Request, context: LifeboatRequestContext) async throws -> Response {
        var session = try await session(context)
        if session.state == .working {
            session.state = .stopped
            session.endedAt = Date()
            try await catalog.updateRestoreSession(session)
        }
        return Response(status: .ok)
    }

    /// `GET /v6/RestoreSessions/{restoreSessionId}/organization`: the organization the session explores.
    @Sendable func getOrganization(_ request: Request, context: LifeboatRequestContext) async throws -> Response {
        let session = try await session(context)
        return try JSONResponse.make(RESTBackupOrganization(try await organization(id: session.organizationID), session: session))
    }

    // MARK: Events

    /// `GET /v6/RestoreSessions/{restoreSessionId}/Events`: the session's events in order, paged.
    @Sendable func listEvents(_ request: Request, context: LifeboatRequestContext) async throws -> Response {
        let page = try PageQuery(CaseInsensitiveQuery(request))
        let session = try await session(context)
        let events = try await catalog.restoreSessionEvents(sessionID: session.id, offset: page.offset, limit: page.limit)
        let total = try await catalog.restoreSessionEventCount(sessionID: session.id)
        return try JSONResponse.make(page.page(events.map(RESTRestoreSessionEvent.init), totalCount: total, request: request))
    }

    /// `GET /v6/RestoreSessions/{restoreSessionId}/Events/{eventId}`.
    @Sendable func getEvent(_ request: Request, context: LifeboatRequestContext) async throws -> Response {
        let session = try await session(context)
        let eventID = try context.parameters.requireUUID("eventId")
        guard let event = try await catalog.restoreSessionEvent(id: eventID, sessionID: session.id) else {
            throw RequestError.notFound(resource: "Restore session event", id: eventID.veeamID)
        }
        return try JSONResponse.make(RESTRestoreSessionEvent(event))
    }

    // MARK: OneDrives

    /// `GET .../Organization/OneDrives`: the OneDrives the session's restore point holds, by name, paged.
    @Sendable func listOneDrives(_ request: Request, context: LifeboatRequestContext) async throws -> Response {
        let page = try PageQuery(CaseInsensitiveQuery(request))
        let view = try await browsableView(context)
        var drives: [ProtectedDrive] = []
        if let content = view.content {
            drives = try await catalog.drives(jobID: content.jobID, at: content.sequence).filter { $0.kind == .oneDrive }
        }
        let answer = drives.map { RESTOneDrive($0, sessionID: view.session.id) }
            .sorted { ($0.name, $0.id) < ($1.name, $1.id) }
        return try JSONResponse.make(page.page(answer, request: request))
    }

    /// `GET .../Organization/OneDrives/{oneDriveId}`; the id is Graph's drive id, percent-encoded or not.
    @Sendable func getOneDrive(_ request: Request, context: LifeboatRequestContext) async throws -> Response {
        let view = try await browsableView(context)
        let drive = try await oneDrive(view, context: context)
        return try JSONResponse.make(RESTOneDrive(drive.record, sessionID: view.session.id))
    }

    /// `GET .../OneDrives/{oneDriveId}/Folders?parentId=<folderId|root>`: the folders in one folder, or every folder
    /// of the drive without `parentId`; paged, by name.
    @Sendable func listFolders(_ request: Request, context: LifeboatRequestContext) async throws -> Response {
        let query = CaseInsensitiveQuery(request)
        let page = try PageQuery(query)
        let view = try await browsableView(context)
        let drive = try await oneDrive(view, context: context)
        let folders = try await listing(view, drive, parentID: query["parentId"]).filter { $0.isFolder && !$0.isRoot }
            .map { RESTOneDriveFolder($0, sessionID: view.session.id, driveID: drive.record.driveID, rootID: drive.root.itemID) }
        return try JSONResponse.make(page.page(folders, request: request))
    }

    /// `GET .../OneDrives/{oneDriveId}/Folders/{folderId}`.
    @Sendable func getFolder(_ request: Request, context: LifeboatRequestContext) async throws -> Response {
        let view = try await browsableView(context)
        let drive = try await oneDrive(view, context: context)
        let folder = try await item(view, drive, id: try Self.decodedParameter(context, "folderId"), isFolder: true)
        return try JSONResponse.make(
            RESTOneDriveFolder(folder, sessionID: view.session.id, driveID: drive.record.driveID, rootID: drive.root.itemID))
    }

    /// `GET .../OneDrives/{oneDriveId}/Documents?parentId=<folderId|root>`: the files in one folder, or every file
    /// of the drive without `parentId`; paged, by name (each state of a file with `showAllVersions`, oldest first).
    @Sendable func listDocuments(_ request: Request, context: LifeboatRequestContext) async throws -> Response {
        let query = CaseInsensitiveQuery(request)
        let page = try PageQuery(query)
        let view = try await browsableView(context)
        let drive = try await oneDrive(view, context: context)
        let documents = try await listing(view, drive, parentID: query["parentId"]).filter { !$0.isFolder }
            .map { RESTOneDriveDocument($0, sessionID: view.session.id, driveID: drive.record.driveID, rootID: drive.root.itemID) }
        return try JSONResponse.make(page.page(documents, request: request))
    }

    /// `GET .../OneDrives/{oneDriveId}/Documents/{documentId}`: the file's state at the session's point (its last
    /// state, for a file deleted by then in a `showDeleted` session).
    @Sendable func getDocument(_ request: Request, context: LifeboatRequestContext) async throws -> Response {
        let view = try await browsableView(context)
        let drive = try await oneDrive(view, context: context)
        let document = try await item(view, drive, id: try Self.decodedParameter(context, "documentId"), isFolder: false)
        return try JSONResponse.make(
            RESTOneDriveDocument(document, sessionID: view.session.id, driveID: drive.record.driveID, rootID: drive.root.itemID))
    }

    /// `GET .../OneDrives/{oneDriveId}/Documents/{documentId}/Versions`: every stored state of the file up to the
    /// session's point, oldest first (earlier Graph versions included), paged.
    @Sendable func listDocumentVersions(_ request: Request, context: LifeboatRequestContext) async throws -> Response {
        let page = try PageQuery(CaseInsensitiveQuery(request))
        let view = try await browsableView(context)
        let drive = try await oneDrive(view, context: context)
        let document = try await item(view, drive, id: try Self.decodedParameter(context, "documentId"), isFolder: false)
        let versions = try await catalog.history(
            jobID: drive.content.jobID, driveID: drive.record.driveID, itemID: document.itemID, upTo: drive.content.sequence)
            .filter { !$0.isFolder }
            .map { RESTOneDriveDocument($0, sessionID: view.session.id, driveID: drive.record.driveID, rootID: drive.root.itemID) }
        return try JSONResponse.make(page.page(versions, request: request))
    }

    // MARK: Resolving sessions, drives and items

    /// The job and restore point a session reads.
    private struct Content {
        var jobID: UUID
        var sequence: Int64
    }

    /// A working OneDrive session and what it reads; `content` is nil for a session with no data.
    private struct BrowsableView {
        var session: RestoreSession
        var content: Content?
        var options: PointInTimeOptions { PointInTimeOptions(showDeleted: session.showDeleted, showAllVersions: session.showAllVersions) }
    }

    /// A OneDrive of a session's point, with its root folder there.
    private struct OneDrive {
        var record: ProtectedDrive
        var root: ItemVersion
        var content: Content
    }

    /// The session named by `restoreSessionId`: a 400 when malformed, a 404 when unknown.
    private func session(_ context: LifeboatRequestContext) async throws -> RestoreSession {
        let id = try context.parameters.requireUUID("restoreSessionId")
        guard let session = try await catalog.restoreSession(id: id) else {
            throw RequestError.notFound(resource: "Restore session", id: id.veeamID)
        }
        return session
    }

    /// The session to browse OneDrives in: a 409 once stopped, a 400 when it explores another service.
    private func browsableView(_ context: LifeboatRequestContext) async throws -> BrowsableView {
        let session = try await session(context)
        guard session.state == .working else {
            throw RequestError.conflict(
                "Restore session '\(session.id.veeamID)' is stopped and can no longer be browsed; start a new one with POST /v6/Jobs/{jobId}/explore.")
        }
        guard session.kind == .oneDrive else {
            throw RequestError.invalidField(
                name: "restoreSessionId",
                reason: "session '\(session.id.veeamID)' explores \(RESTRestoreSession.type(session.kind)), not OneDrive; open a Veod session to browse OneDrives")
        }
        guard let sequence = session.restorePointSequence else { return BrowsableView(session: session, content: nil) }
        var jobID = session.jobID
        if jobID == nil {
            jobID = try await catalog.restorePoint(sequence: sequence)
                .flatMap { $0.organizationID == session.organizationID ? $0.jobID : nil }
        }
        return BrowsableView(session: session, content: jobID.map { Content(jobID: $0, sequence: sequence) })
    }

    /// The OneDrive named by `oneDriveId` as the session's point holds it; a 404 when the point does not hold it.
    private func oneDrive(_ view: BrowsableView, context: LifeboatRequestContext) async throws -> OneDrive {
        let driveID = try Self.decodedParameter(context, "oneDriveId")
        guard let content = view.content, let record = try await catalog.drive(id: driveID), record.kind == .oneDrive,
            let root = try await catalog.rootItem(jobID: content.jobID, driveID: driveID, at: content.sequence)
        else {
            throw RequestError.notFound(resource: "OneDrive", id: driveID)
        }
        return OneDrive(record: record, root: root, content: content)
    }

    /// The items of the drive (no `parentId`) or of one folder (`root`, `null` or a folder id), per the session's
    /// options; an unknown folder is a 404.
    private func listing(_ view: BrowsableView, _ drive: OneDrive, parentID raw: String?) async throws -> [ItemVersion] {
        let driveID = drive.record.driveID
        let content = drive.content
        guard let raw = raw?.trimmingCharacters(in: .whitespaces), !raw.isEmpty else {
            return try await catalog.items(jobID: content.jobID, driveID: driveID, at: content.sequence, options: view.options)
        }
        let parentID = ["root", "null"].contains(raw.lowercased())
            ? drive.root.itemID : try await item(view, drive, id: raw, isFolder: true, name: "parentId").itemID
        return try await catalog.children(
            jobID: content.jobID, driveID: driveID, parentID: parentID, at: content.sequence, options: view.options)
    }

    /// The state of a folder or file the session shows: the one valid at its point, or, in a `showDeleted` session,
    /// the last one of an item deleted by then. A 404 (naming `name`) otherwise.
    private func item(
        _ view: BrowsableView, _ drive: OneDrive, id itemID: String, isFolder: Bool, name: String? = nil
    ) async throws -> ItemVersion {
        let content = drive.content
        var state = try await catalog.item(
            jobID: content.jobID, driveID: drive.record.driveID, itemID: itemID, at: content.sequence)
        if state == nil, view.session.showDeleted {
            state = try await catalog.history(
                jobID: content.jobID, driveID: drive.record.driveID, itemID: itemID, upTo: content.sequence)
                .last { !$0.isHistorical }
        }
        guard let state, state.isFolder == isFolder else {
            let resource = isFolder ? "Folder" : "Document"
            throw RequestError.notFound(resource: name.map { "\(resource) (\($0))" } ?? resource, id: itemID)
        }
        return state
    }

    // MARK: Helpers

    private func organization(id: UUID) async throws -> Organization {
        guard let organization = try await catalog.organization(id: id) else {
            throw RequestError.notFound(resource: "Organization", id: id.veeamID)
        }
        return organization
    }

    /// A path parameter with `%XX` escapes decoded (links percent-encode Graph ids); a broken escape is a 400.
    private static func decodedParameter(_ context: LifeboatRequestContext, _ name: String) throws -> String {
        let raw = try context.parameters.require(name)
        guard let decoded = raw.removingPercentEncoding, !decoded.isEmpty else {
            throw RequestError.invalidField(name: name, reason: "'\(raw)' is not a valid percent-encoded identifier")
        }
        return decoded
    }

    /// An optional date-time query parameter; a malformed one is a 400 naming it.
    private static func time(_ query: CaseInsensitiveQuery, _ name: String) throws -> Date? {
        guard let raw = query[name], !raw.trimmingCharacters(in: .whitespaces).isEmpty else { return nil }
        guard let time = VeeamDateTime.parse(raw) ?? query.percentDecoded(name).flatMap(VeeamDateTime.parse) else {
            throw RequestError.invalidField(
                name: name, reason: "'\(raw)' is not a date and time (use \(RESTExploreOptions.dateFormats))")
        }
        return time
    }

    /// `clientHost` as Veeam writes it (`EPSILON (via: 127.0.0.1)`): the server, then the address the client came
    /// from as a reverse proxy reports it (`X-Forwarded-For`), else the loopback address.
    static func clientHost(_ request: Request) -> String {
        let forwarded = request.headers[HTTPField.Name("X-Forwarded-For")!]?
            .split(separator: ",").first?.trimmingCharacters(in: .whitespaces)
        return "Lifeboat (via: \(forwarded.flatMap { $0.isEmpty ? nil : $0 } ?? "127.0.0.1"))"
    }
}
