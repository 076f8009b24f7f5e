import BackupEngine
import Catalog
import Foundation
import Hummingbird
import LifeboatModel
import Logging

/// The AvePoint Cloud Backup for Microsoft 365 dialect (`/backup/m365`): restore jobs and job details.
///
/// Handlers check the token's scope, decode and validate, call the catalog or the restore worker, and answer in
/// AvePoint's envelope; failures are thrown and rendered once by `AvePointErrorMiddleware`.
struct AvePointRoutes {
    let catalog: any CatalogStore
    let restoreWorker: RestoreWorker

    /// Adds the routes to the `/backup/m365` group (paths are matched case-insensitively by the router).
    func addRoutes(to group: RouterGroup<LifeboatRequestContext>) {
        group.post("restore/jobs", use: createRestoreJob)
        group.get("cloudbackupjobs/{jobId}", use: getJob)
    }

    // MARK: Restore jobs

    /// `POST /backup/m365/restore/jobs` (seed 000): validates everything, resolves paths at the recovery point, and
    /// queues one restore job; answers its id at once. Every field problem comes back together in one 400; a fourth
    /// active restore or export job of the organization is a 429 (the worker's admission).
    @Sendable func createRestoreJob(_ request: Request, context: LifeboatRequestContext) async throws -> Response {
        try context.requireScope(APIScope.restoreReadWrite)
        var problems: [AvePointAPIError] = []
        if let problem = AvePointLocation.problem(in: CaseInsensitiveQuery(request)) { problems.append(problem) }

        let body = try await request.collectBody(upTo: RequestBodyLimit.avePointRestoreJob)
        let bytes = Array(body.readableBytesView)
        guard bytes.contains(where: { ![0x20, 0x09, 0x0A, 0x0D].contains($0) }) else {
            problems.append(AvePointAPIError(field: RestoreJobForm.bodyField, message: "A non-empty request body is required."))
            throw AvePointValidationError(errors: problems)
        }
        let json: StrictJSON
        do {
            json = try StrictJSON.parse(bytes)
        } catch {
            problems.append(AvePointAPIError(field: RestoreJobForm.bodyField, message: "The request body is not valid JSON: \(error)."))
            throw AvePointValidationError(errors: problems)
        }
        let form = RestoreJobForm(json)
        problems += form.problems
        let (restore, resolutionProblems) = try await RestoreJobResolver(catalog: catalog).resolve(form)
        problems += resolutionProblems
        guard problems.isEmpty, let restore else { throw AvePointValidationError(errors: problems) }

        let run = try await restoreWorker.submit(restore)
        context.logger.info(
            "Restore job queued",
            metadata: ["lifeboat.run.id": "\(run.externalID)", "lifeboat.selections": "\(restore.selections.count)"])
        return try AvePointEnvelope.ok(RestoreJobCreated(jobId: run.externalID), identity: identity(request, context))
    }

    // MARK: Jobs

    /// `GET /backup/m365/cloudbackupjobs/{jobId}` (seed 004): a backup or restore run by its external id.
    @Sendable func getJob(_ request: Request, context: LifeboatRequestContext) async throws -> Response {
        try context.requireScope(APIScope.jobInfoRead)
        if let problem = AvePointLocation.problem(in: CaseInsensitiveQuery(request)) {
            throw AvePointValidationError(errors: [problem])
        }
        let id = try context.parameters.require("jobId")
        guard let run = try await catalog.run(externalID: id) else { throw RequestError.notFound(resource: "Job", id: id) }
        let errors = try await catalog.runErrorSummary(runID: run.id)
        return try AvePointEnvelope.ok(AvePointJob(run, errors: errors), identity: identity(request, context))
    }

    private func identity(_ request: Request, _ context: LifeboatRequestContext) -> AvePointRequestIdentity {
        context.avePoint ?? .unnumbered(request)
    }
}
