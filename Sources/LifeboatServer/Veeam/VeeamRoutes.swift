import BackupEngine
import Catalog
import Foundation
import Hummingbird
import LifeboatModel
import NIOFoundationCompat

/// The Veeam Backup for Microsoft 365 dialect (`/v6`): token, organizations, jobs, restore points.
struct VeeamRoutes {
    let catalog: any CatalogStore
    let worker: BackupWorker
    let issuer: TokenIssuer
    let hasher: SecretHasher

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
            guard let credential = try await catalog.credential(name: username), credential.principal.kind == .user,
                hasher.verify(password, against: credential.secretHash)
            else {
                throw RequestError.invalidField(name: "password", reason: "the user name or password is incorrect")
            }
            return try await tokenResponse(for: credential.principal)
        case "refresh_token":
            guard let refresh = form["refresh_token"], !refresh.isEmpty else {
                throw RequestError.invalidField(name: "refresh_token", reason: "required for grant_type=refresh_token")
            }
            guard let principal = try await issuer.principal(forToken: refresh, refresh: true) else {
                throw RequestError.invalidField(name: "refresh_token", reason: "unknown or expired")
            }
            try await issuer.revoke(refresh)
            return try await tokenResponse(for: principal)
        case let other:
            throw RequestError.invalidField(name: "grant_type", reason: "'\(other)' is not supported; use password or refresh_token")
        }
    }

    private func tokenResponse(for principal: Principal) async throws -> Response {
        let pair = try await issuer.issue(for: principal)
        return try JSONResponse.make(
            OAuthTokenResponse(
                accessToken: pair.accessToken, refreshToken: pair.refreshToken, tokenType: "bearer",
                expiresIn: Int64(issuer.accessTokenLifetime), userName: principal.name, issued: pair.issuedAt,
                expires: pair.expiresAt))
    }

    // MARK: Organizations

    @Sendable func listOrganizations(_ request: Request, context: LifeboatRequestContext) async throws -> Response {
        var answer: [RESTOrganization] = []
        for organization in try await catalog.organizations() {
            answer.append(try await render(organization))
        }
        return try JSONResponse.make(answer)
    }

    @Sendable func getOrganization(_ request: Request, context: LifeboatRequestContext) async throws -> Response {
        let id = try context.parameters.requireUUID("organizationId")
        guard let organization = try await catalog.organization(id: id) else {
            throw RequestError.notFound(resource: "Organization", id: id.uuidString)
        }
        return try JSONResponse.make(try await render(organization))
    }

    private func render(_ organization: Organization) async throws -> RESTOrganization {
        let points = try await catalog.restorePoints(RestorePointFilter(organizationID: organization.id))
        let id = organization.id.uuidString.lowercased()
        return RESTOrganization(
            id: organization.id, name: organization.name, officeName: organization.name, type: "Office365",
            region: "Worldwide", isBackedup: !points.isEmpty, firstBackuptime: points.last?.backupTime,
            lastBackuptime: points.first?.backupTime, isExchangeOnline: false, isSharePointOnline: true,
            isTeamsOnline: false, isTeamsChatsOnline: false,
            _links: [
                "self": RESTLink(href: "/v6/Organizations/\(id)"),
                "jobs": RESTLink(href: "/v6/Organizations/\(id)/Jobs"),
                "restorePoints": RESTLink(href: "/v6/RestorePoints?organizationId=\(id)"),
            ])
    }

    // MARK: Jobs

    @Sendable func listJobs(_ request: Request, context: LifeboatRequestContext) async throws -> Response {
        try JSONResponse.make(try await catalog.jobs().map(render))
    }

    @Sendable func getJob(_ request: Request, context: LifeboatRequestContext) async throws -> Response {
        let id = try context.parameters.requireUUID("jobId")
        guard let job = try await catalog.job(id: id) else { throw RequestError.notFound(resource: "Job", id: id.uuidString) }
        return try JSONResponse.make(render(job))
    }

    @Sendable func startJob(_ request: Request, context: LifeboatRequestContext) async throws -> Response {
        let id = try context.parameters.requireUUID("jobId")
        let body = try await request.body.collect(upTo: 64 * 1024)
        var options = RESTStartJobOptions(full: nil)
        if body.readableBytes > 0 {
            do {
                options = try JSONDecoder().decode(RESTStartJobOptions.self, from: body)
            } catch {
                throw RequestError.invalidBody("expected {\"full\": true|false}")
            }
        }
        guard try await catalog.job(id: id) != nil else { throw RequestError.notFound(resource: "Job", id: id.uuidString) }
        _ = try await worker.submit(jobID: id, fullEnumeration: options.full ?? false)
        return Response(status: .noContent)
    }

    private func render(_ job: BackupJob) -> RESTJob {
        let id = job.id.uuidString.lowercased()
        var items: [RESTJobItem] = []
        if !job.scope.allUsers {
            items += job.scope.users.map { upn in
                RESTJobItem(
                    type: "User", id: upn, user: .init(id: upn, name: upn, displayName: upn, type: "User"), oneDrive: true)
            }
        }
        if !job.scope.allSites {
            items += job.scope.sites.map { url in
                RESTJobItem(type: "Site", id: url, site: .init(id: url, url: url, name: url), sites: true)
            }
        }
        let entire = job.scope.allUsers && job.scope.allSites
        return RESTJob(
            id: job.id, name: job.name, description: job.description, repositoryId: job.repositoryID,
            backupType: entire ? "EntireOrganization" : "SelectedItems", selectedItems: entire ? [] : items,
            excludedItems: [], isEnabled: job.isEnabled, lastRun: job.lastRun, nextRun: nil,
            lastStatus: job.lastStatus.rawValue, schedulePolicy: RESTJobSchedulePolicy(scheduleEnabled: false, type: "ManualOnly"),
            _links: [
                "self": RESTLink(href: "/v6/Jobs/\(id)"),
                "organization": RESTLink(href: "/v6/Organizations/\(job.organizationID.uuidString.lowercased())"),
                "backupRepository": RESTLink(href: "/v6/BackupRepositories/\(job.repositoryID.uuidString.lowercased())"),
                "jobsessions": RESTLink(href: "/v6/Jobs/\(id)/JobSessions"),
            ])
    }

    // MARK: Restore points

    @Sendable func listRestorePoints(_ request: Request, context: LifeboatRequestContext) async throws -> Response {
        let query = CaseInsensitiveQuery(request)
        var filter = RestorePointFilter(
            organizationID: try query.uuid("organizationId"), jobID: try query.uuid("jobId"),
            repositoryID: try query.uuid("repositoryId"))
        if let raw = query["backupTime"], !raw.isEmpty {
            guard let time = VeeamDateTime.parse(raw) else {
                throw RequestError.invalidField(
                    name: "backupTime", reason: "'\(raw)' is not a date (use yyyy-MM-dd HH:mm:ss.SSS, yyyy.MM.dd hh:mm:ss or ISO 8601)")
            }
            filter.backupTimeAfter = time
        }
        // Lifeboat keeps no long-term copies and retrieves nothing from archive tiers yet.
        if try query.bool("isLongTermCopy") == true || query.bool("isRetrieved") == true {
            return try JSONResponse.make([RESTRestorePoint]())
        }
        return try JSONResponse.make(try await catalog.restorePoints(filter).map(render))
    }

    @Sendable func getRestorePoint(_ request: Request, context: LifeboatRequestContext) async throws -> Response {
        let id = try context.parameters.requireUUID("restorePointId")
        guard let point = try await catalog.restorePoint(id: id) else {
            throw RequestError.notFound(resource: "Restore point", id: id.uuidString)
        }
        return try JSONResponse.make(render(point))
    }

    private func render(_ point: RestorePoint) -> RESTRestorePoint {
        let id = point.id.uuidString.lowercased()
        return RESTRestorePoint(
            id: id, repositoryId: point.repositoryID, backupTime: point.backupTime, jobId: point.jobID,
            retrievalId: UUID(uuid: (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)), organizationId: point.organizationID,
            isExchange: false, isSharePoint: point.isSharePoint, isOneDrive: point.isOneDrive, isTeams: false,
            isLongTermCopy: false, isRetrieved: false,
            _links: [
                "self": RESTLink(href: "/v6/RestorePoints/\(id)"),
                "organization": RESTLink(href: "/v6/Organizations/\(point.organizationID.uuidString.lowercased())"),
                "backupRepository": RESTLink(href: "/v6/BackupRepositories/\(point.repositoryID.uuidString.lowercased())"),
            ])
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
