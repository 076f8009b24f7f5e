import BackupEngine
import Catalog
import Foundation
import Hummingbird
import LifeboatModel
import NIOFoundationCompat

/// The Veeam Backup for Microsoft 365 dialect (`/v6`): token, organizations, jobs, restore points.
///
/// Handlers decode and validate, call the catalog or the engine, and encode Veeam's wire shapes;
/// failures are thrown and rendered once by `VeeamErrorMiddleware`.
struct VeeamRoutes {
    let catalog: any CatalogStore
    let worker: BackupWorker
    let issuer: TokenIssuer
    let hasher: SecretHasher

    /// Adds the routes to the `/v6` group (paths are matched case-insensitively by the router).
    func addRoutes(to group: RouterGroup<LifeboatRequestContext>) {
        group.post("token", use: token)
        group.get("Organizations", use: listOrganizations)
        group.get("Organizations/{organizationId}", use: getOrganization)
        group.get("Jobs", use: listJobs)
        group.get("Jobs/{jobId}", use: getJob)
        group.post("Jobs/{jobId}/start", use: startJob)
        group.get("RestorePoints", use: listRestorePoints)
        group.get("RestorePoints/{restorePointId}", use: getRestorePoint)
    }

    // MARK: Token

    /// `POST /v6/token`: password and refresh-token grants; a refused grant is a 400 (OAuth 2.0 `invalid_grant`).
    @Sendable func token(_ request: Request, context: LifeboatRequestContext) async throws -> Response {
        let form = try await TokenForm.decode(request, context: context)
        switch form["grant_type"] ?? "password" {
        case "password":
            guard let username = form["username"], !username.isEmpty else {
                throw RequestError.invalidField(name: "username", reason: "required for grant_type=password")
            }
            guard let password = form["password"] else {
                throw RequestError.invalidField(name: "password", reason: "required for grant_type=password")
            }
            guard let credential = try await catalog.credential(name: username), credential.principal.kind == .user else {
                // Spend the time a verification takes, so unknown user names cannot be told from wrong passwords.
                _ = try? hasher.hash(password)
                throw RequestError.invalidGrant("The user name or password is incorrect.")
            }
            guard hasher.verify(password, against: credential.secretHash) else {
                throw RequestError.invalidGrant("The user name or password is incorrect.")
            }
            return try await tokenResponse(for: credential.principal)
        case "refresh_token":
            guard let refresh = form["refresh_token"], !refresh.isEmpty else {
                throw RequestError.invalidField(name: "refresh_token", reason: "required for grant_type=refresh_token")
            }
            guard let principal = try await issuer.principal(forToken: refresh, refresh: true) else {
                throw RequestError.invalidGrant("The refresh token is invalid, expired or already used.")
            }
            try await issuer.revoke(refresh)
            return try await tokenResponse(for: principal)
        case let other:
            throw RequestError.invalidField(name: "grant_type", reason: "'\(other)' is not supported; use password or refresh_token")
        }
    }

    private func tokenResponse(for principal: Principal) async throws -> Response {
        let pair = try await issuer.issue(for: principal)
        return try JSONResponse.make(OAuthTokenResponse(pair, userName: principal.name))
    }

    // MARK: Organizations

    /// `GET /v6/Organizations`: a plain array of `RestOrganizationComposed`.
    @Sendable func listOrganizations(_ request: Request, context: LifeboatRequestContext) async throws -> Response {
        var answer: [RESTOrganization] = []
        for organization in try await catalog.organizations() {
            answer.append(try await render(organization))
        }
        return try JSONResponse.make(answer)
    }

    /// `GET /v6/Organizations/{organizationId}`.
    @Sendable func getOrganization(_ request: Request, context: LifeboatRequestContext) async throws -> Response {
        let id = try context.parameters.requireUUID("organizationId")
        guard let organization = try await catalog.organization(id: id) else {
            throw RequestError.notFound(resource: "Organization", id: id.veeamID)
        }
        return try JSONResponse.make(try await render(organization))
    }

    private func render(_ organization: Organization) async throws -> RESTOrganization {
        RESTOrganization(
            organization, restorePoints: try await catalog.restorePoints(RestorePointFilter(organizationID: organization.id)))
    }

    // MARK: Jobs

    /// `GET /v6/Jobs`: a plain array of `RESTJob`.
    @Sendable func listJobs(_ request: Request, context: LifeboatRequestContext) async throws -> Response {
        try JSONResponse.make(try await catalog.jobs().map(RESTJob.init))
    }

    /// `GET /v6/Jobs/{jobId}`.
    @Sendable func getJob(_ request: Request, context: LifeboatRequestContext) async throws -> Response {
        let id = try context.parameters.requireUUID("jobId")
        guard let job = try await catalog.job(id: id) else { throw RequestError.notFound(resource: "Job", id: id.veeamID) }
        return try JSONResponse.make(RESTJob(job))
    }

    /// `POST /v6/Jobs/{jobId}/start`: queues a backup run on the worker and answers 204 at once.
    ///
    /// The body (`RESTStartJobOptions`) may be empty; a job with a run queued or running is a 409.
    @Sendable func startJob(_ request: Request, context: LifeboatRequestContext) async throws -> Response {
        let id = try context.parameters.requireUUID("jobId")
        let body = try await request.body.collect(upTo: 64 * 1024)
        var options = RESTStartJobOptions(full: nil)
        if body.readableBytesView.contains(where: { ![0x20, 0x09, 0x0A, 0x0D].contains($0) }) {
            do {
                options = try JSONDecoder().decode(RESTStartJobOptions.self, from: body)
            } catch {
                throw RequestError.invalidBody("expected RESTStartJobOptions, {\"full\": true|false}")
            }
        }
        _ = try await worker.submit(jobID: id, fullEnumeration: options.full ?? false)
        return Response(status: .noContent)
    }

    // MARK: Restore points

    /// `GET /v6/RestorePoints` with seed 003's filters: a plain array of `RESTRestorePoint`, newest first.
    @Sendable func listRestorePoints(_ request: Request, context: LifeboatRequestContext) async throws -> Response {
        let query = try RestorePointsQuery(CaseInsensitiveQuery(request))
        let points = try await catalog.restorePoints(query.filter).map(RESTRestorePoint.init).filter(query.admits)
        return try JSONResponse.make(points)
    }

    /// `GET /v6/RestorePoints/{restorePointId}`; Veeam's ids are opaque strings, so any unknown id is a 404.
    @Sendable func getRestorePoint(_ request: Request, context: LifeboatRequestContext) async throws -> Response {
        let raw = try context.parameters.require("restorePointId")
        guard let id = UUID(uuidString: raw), let point = try await catalog.restorePoint(id: id) else {
            throw RequestError.notFound(resource: "Restore point", id: raw)
        }
        return try JSONResponse.make(RESTRestorePoint(point))
    }
}

extension Parameters {
    /// A path parameter that must be a UUID; otherwise a 400 naming it.
    func requireUUID(_ name: String) throws -> UUID {
        let raw = try require(name)
        guard let value = UUID(uuidString: raw) else {
            throw RequestError.invalidField(name: name, reason: "'\(raw)' is not an identifier (UUID)")
        }
        return value
    }
}
