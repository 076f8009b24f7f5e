import BackupEngine
import Catalog
import Foundation
import HTTPTypes
import Hummingbird
import LifeboatModel

/// Veeam's v3 bulk OneDrive action (seed 002): restore the OneDrives of a restore session to their original location,
/// or save them as a zip.
///
/// A restore runs while the request waits, as Veeam's v3 does, and the answer is 200 with no body when any file was
/// restored or skipped, with `Lifeboat-Restore-Result: Success` or `Warning` (some items failed) and the counts
/// (each item's outcome is an event of the session, `GET /v6/RestoreSessions/{id}/Events`), and 500 in
/// `RESTExceptionInfo` with the job's first errors when no file could be restored. A OneDrive listed twice is restored once.
/// `save` answers `application/octet-stream`: the zip, streamed while it is built (chunked, so no Content-Length),
/// holding each file's version at the session's point in time under `<owner>'s OneDrive/<path>`.
struct VeeamOneDriveActionRoutes {
    let catalog: any CatalogStore
    let restores: RestoreRunner

    /// Adds the route to the `/v3` group.
    func addRoutes(to group: RouterGroup<LifeboatRequestContext>) {
        group.post("RestoreSessions/{restoreSessionId}/Organization/OneDrives/Action", use: oneDrivesAction)
    }

    /// Adds v6's bulk restore (`POST .../Organization/OneDrives/restore`) to the `/v6` group.
    func addV6Routes(to group: RouterGroup<LifeboatRequestContext>) {
        group.post("RestoreSessions/{restoreSessionId}/Organization/OneDrives/restore", use: bulkRestore)
    }

    /// `POST /v6/RestoreSessions/{restoreSessionId}/Organization/OneDrives/restore` (`RESTBulkRestoreConfig`): restores
    /// each listed OneDrive to its original location, one restore job per OneDrive, while the request waits, and
    /// answers `RESTSharePointBulkRestoreStatistics` with each OneDrive's status and the items that failed (at most
    /// 100 per OneDrive; the rest are in the session's events).
    @Sendable func bulkRestore(_ request: Request, context: LifeboatRequestContext) async throws -> Response {
        let (session, _, restoreRequest) = try await parse(request, context: context, as: OneDriveAction.init(parsingBulkRestore:))
        var details: [RESTSharePointBulkRestoreStatistics.OneDriveDetail] = []
        for selection in restoreRequest.selections {
            var single = restoreRequest
            single.selections = [selection]
            let run = try await restores.runNow(single)
            let issues = try await catalog.runErrors(runID: run.id).prefix(100).map(RESTSharePointBulkRestoreStatistics.RestoreIssue.init)
            let drive = try await catalog.drive(id: selection.driveID)
            details.append(
                .init(
                    oneDrive: drive.map { RESTOneDrive($0, sessionID: session.id) }
                        ?? RESTOneDrive(id: selection.driveID, sessionID: session.id),
                    status: RESTSharePointBulkRestoreStatistics.status(run.state),
                    error: run.state == .failed ? issues.first?.error : nil,
                    details: .init(failedRestrictionsCount: 0, restoreIssues: issues)))
        }
        let statuses = Set(details.map(\.status))
        let overall = statuses == ["Success"] ? "Success" : statuses == ["Failed"] ? "Failed" : "Warning"
        return try JSONResponse.make(
            RESTSharePointBulkRestoreStatistics(
                status: overall, details: details,
                error: overall == "Failed" ? "No OneDrive could be restored; see each OneDrive's restore issues." : nil))
    }

    /// `POST /v3/RestoreSessions/{restoreSessionId}/Organization/OneDrives/Action`.
    @Sendable func oneDrivesAction(_ request: Request, context: LifeboatRequestContext) async throws -> Response {
        let (_, action, restoreRequest) = try await parse(request, context: context, as: OneDriveAction.init(parsing:))
        switch action.kind {
        case .restoreToOriginalLocation:
            let run = try await restores.runNow(restoreRequest)
            guard run.state != .failed else {
                let errors = try await catalog.runErrorSummary(runID: run.id).prefix(3).map(\.message)
                throw RequestError.operationFailed(
                    "The restore failed; nothing could be restored (job \(run.externalID), \(run.counters.itemsFailed) items "
                        + "failed; see the session's events): " + errors.joined(separator: " "))
            }
            return Response(status: .ok, headers: Self.outcomeHeaders(run))
        case .save:
            let archive = try await restores.export(restoreRequest)
            return Response(
                status: .ok,
                headers: [
                    .contentType: "application/octet-stream",
                    .contentDisposition: "attachment; filename=\"\(archive.run.externalID).zip\"",
                ],
                body: ResponseBody(asyncSequence: archive))
        }
    }

    /// Veeam's v3 answers a restore with no body, so a partial restore (`Warning`) can only be told from a whole one
    /// (`Success`) by these headers: the outcome, the items restored, skipped and failed, and the job.
    static func outcomeHeaders(_ run: JobRun) -> HTTPFields {
        [
            .restoreResult: run.state == .succeeded ? "Success" : "Warning",
            .restoreItems:
                "restored=\(run.counters.itemsRestored), skipped=\(run.counters.itemsSkipped), failed=\(run.counters.itemsFailed)",
            .restoreJob: run.externalID,
        ]
    }

    /// The session named by the path, the action its body asks for, and the engine request it resolves to.
    private func parse(
        _ request: Request, context: LifeboatRequestContext, as decode: ([UInt8]) throws -> OneDriveAction
    ) async throws -> (RestoreSession, OneDriveAction, RestoreRequest) {
        let sessionID = try context.parameters.requireUUID("restoreSessionId")
        let body = try await request.collectBody(upTo: RequestBodyLimit.oneDriveAction)
        guard let session = try await catalog.restoreSession(id: sessionID) else {
            throw RequestError.notFound(resource: "Restore session", id: sessionID.uuidString.lowercased())
        }
        let action = try decode(Array(body.readableBytesView))
        return (session, action, try await resolve(action, in: session))
    }

    /// The engine request for an action on a session: every OneDrive must be one the session's restore point holds.
    private func resolve(_ action: OneDriveAction, in session: RestoreSession) async throws -> RestoreRequest {
        guard session.state == .working else {
            throw RequestError.conflict("Restore session \(session.id.uuidString.lowercased()) is stopped; start a new one with explore.")
        }
        guard session.kind == .oneDrive else {
            throw RequestError.invalidField(name: "restoreSessionId", reason: "the session explores \(session.kind.rawValue), not OneDrive")
        }
        guard let jobID = session.jobID, let sequence = session.restorePointSequence else {
            throw RequestError.invalidField(
                name: "restoreSessionId", reason: "the session holds no backup data (its point in time precedes the first backup)")
        }
        var selections: [RestoreSelection] = []
        for (index, driveID) in action.oneDriveIDs.enumerated() {
            guard !selections.contains(where: { $0.driveID == driveID }) else { continue }
            guard try await catalog.drive(id: driveID)?.kind == .oneDrive,
                try await catalog.rootItem(jobID: jobID, driveID: driveID, at: sequence) != nil
            else {
                throw RequestError.invalidField(
                    name: "OneDrives[\(index)].id", reason: "'\(driveID)' is not a OneDrive of this restore session")
            }
            selections.append(RestoreSelection(jobID: jobID, restorePointSequence: sequence, driveID: driveID, itemIDs: nil))
        }
        return RestoreRequest(
            organizationID: session.organizationID, selections: selections, documentAction: action.documentAction,
            documentVersion: action.documentVersion, skipUnresolved: action.skipUnresolved, restoreSessionID: session.id)
    }
}

extension HTTPField.Name {
    /// `Success` or `Warning` (some items failed) on a restore action answered with no body.
    static let restoreResult = HTTPField.Name("Lifeboat-Restore-Result")!
    /// `restored=N, skipped=N, failed=N` on a restore action answered with no body.
    static let restoreItems = HTTPField.Name("Lifeboat-Restore-Items")!
    /// The restore job's id (as `GET /backup/m365/cloudbackupjobs/{jobId}` takes it).
    static let restoreJob = HTTPField.Name("Lifeboat-Restore-Job")!
}
