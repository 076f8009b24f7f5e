import BackupEngine
import Catalog
import Foundation
import Hummingbird
import LifeboatModel
import NIOFoundationCompat

/// The Veeam Backup for Microsoft 365 dialect (`/v6`): token, organizations, repositories, jobs, job sessions,
/// restore points.
///
/// Handlers decode and validate, call the catalog or the engine, and encode Veeam's wire shapes;
/// failures are thrown and rendered once by `VeeamErrorMiddleware`.
struct VeeamRoutes {
    let catalog: any CatalogStore
    let worker: BackupWorker
    let issuer: TokenIssuer
    let signIn: SignInGate

    /// Adds the routes to the `/v6` group (paths are matched case-insensitively by the router).
    func addRoutes(to group: RouterGroup<LifeboatRequestContext>) {
        group.post("token", use: token)
        group.get("Organizations", use: listOrganizations)
        group.get("Organizations/{organizationId}", use: getOrganization)
        group.get("Organizations/{organizationId}/Jobs", use: listOrganizationJobs)
        group.get("BackupRepositories", use: listRepositories)
        group.get("BackupRepositories/{repositoryId}", use: getRepository)
        group.get("Jobs", use: listJobs)
        group.get("Jobs/{jobId}", use: getJob)
        group.put("Jobs/{jobId}", use: updateJob)
        group.post("Jobs/{jobId}/start", use: startJob)
        group.post("Jobs/{jobId}/enable", use: enableJob)
        group.post("Jobs/{jobId}/disable", use: disableJob)
        group.get("Jobs/{jobId}/JobSessions", use: listJobSessionsOfJob)
        group.get("JobSessions", use: listJobSessions)
        group.get("JobSessions/{jobSessionsId}", use: getJobSession)
        group.get("RestorePoints", use: listRestorePoints)
        group.get("RestorePoints/{restorePointId}", use: getRestorePoint)
    }

    // MARK: Token

    /// `POST /v6/token`: password and refresh-token grants; a refused grant is a 400 (OAuth 2.0 `invalid_grant`), an
    /// attempt while the user name or the client must wait after failed ones a 429 with `Retry-After`.
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
            // An unknown user name spends the time a verification takes, so it cannot be told from a wrong password.
            let credential = try await catalog.credential(name: username).flatMap { $0.principal.kind == .user ? $0 : nil }
            guard try await signIn.verify(name: username, secret: password, credential: credential, address: context.clientAddress),
                let credential
            else {
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

    /// `GET /v6/Organizations/{organizationId}/Jobs`: the organization's jobs, a plain array of `RESTJob`.
    @Sendable func listOrganizationJobs(_ request: Request, context: LifeboatRequestContext) async throws -> Response {
        let id = try context.parameters.requireUUID("organizationId")
        guard try await catalog.organization(id: id) != nil else {
            throw RequestError.notFound(resource: "Organization", id: id.veeamID)
        }
        return try JSONResponse.make(try await render(try await catalog.jobs().filter { $0.organizationID == id }))
    }

    // MARK: Repositories

    /// `GET /v6/BackupRepositories`: a plain array of `RESTBackupRepository`. Lifeboat has no proxies nor long-term
    /// repositories, so `proxyId` and `longTerm` only narrow the answer (to nothing, or to every repository).
    @Sendable func listRepositories(_ request: Request, context: LifeboatRequestContext) async throws -> Response {
        let query = CaseInsensitiveQuery(request)
        if let proxy = query["proxyId"], UUID(uuidString: proxy) == nil {
            throw RequestError.invalidField(name: "proxyId", reason: "'\(proxy)' is not an identifier (UUID)")
        }
        let longTerm = try query["longTerm"].map { raw in
            guard let value = Bool(raw.lowercased()) else {
                throw RequestError.invalidField(name: "longTerm", reason: "'\(raw)' is not true or false")
            }
            return value
        }
        guard query["proxyId"] == nil, longTerm != true else { return try JSONResponse.make([RESTBackupRepository]()) }
        return try JSONResponse.make(try await catalog.repositories().map(RESTBackupRepository.init))
    }

    /// `GET /v6/BackupRepositories/{repositoryId}`.
    @Sendable func getRepository(_ request: Request, context: LifeboatRequestContext) async throws -> Response {
        let id = try context.parameters.requireUUID("repositoryId")
        guard let repository = try await catalog.repository(id: id) else {
            throw RequestError.notFound(resource: "Backup repository", id: id.veeamID)
        }
        return try JSONResponse.make(RESTBackupRepository(repository))
    }

    // MARK: Jobs

    /// `GET /v6/Jobs`: a plain array of `RESTJob`.
    @Sendable func listJobs(_ request: Request, context: LifeboatRequestContext) async throws -> Response {
        try JSONResponse.make(try await render(try await catalog.jobs()))
    }

    /// `GET /v6/Jobs/{jobId}`.
    @Sendable func getJob(_ request: Request, context: LifeboatRequestContext) async throws -> Response {
        try JSONResponse.make(try await render([try await requireJob(context)])[0])
    }

    /// `PUT /v6/Jobs/{jobId}` (`RESTJob`): changes the job's schedule (`schedulePolicy`) and whether it is enabled
    /// (`isEnabled`), then starts a run when `runNow` is true; 204. See `JobUpdateForm` for what may change and how
    /// values are validated (a bad one is a 400 naming the field, and nothing is changed).
    @Sendable func updateJob(_ request: Request, context: LifeboatRequestContext) async throws -> Response {
        let body = try await request.collectBody(upTo: RequestBodyLimit.job)
        let job = try await requireJob(context)
        let json = try CaseInsensitiveJSON(parsing: Array(buffer: body), expecting: "RESTJob")
        let current = try StrictJSON.parse(Array(JSONResponse.makeEncoder().encode(try await render([job])[0])))
        let form = try JobUpdateForm(json, job: job, current: current)
        let now = Date()
        if let schedule = form.schedule, schedule != job.schedule {
            try await catalog.updateJobSchedule(id: job.id, schedule: schedule, now: now)
        }
        if let enabled = form.isEnabled, enabled != job.isEnabled {
            try await catalog.setJobEnabled(id: job.id, enabled, now: now)
        }
        if form.runNow { _ = try await worker.submit(jobID: job.id) }
        return Response(status: .noContent)
    }

    /// `POST /v6/Jobs/{jobId}/enable`: the scheduler starts the job again, counting due runs from now (a job disabled
    /// for a month does not run at once); 204.
    @Sendable func enableJob(_ request: Request, context: LifeboatRequestContext) async throws -> Response {
        try await setEnabled(true, context)
    }

    /// `POST /v6/Jobs/{jobId}/disable`: the scheduler no longer starts the job (a run in progress goes on, and it can
    /// still be started by hand); 204.
    @Sendable func disableJob(_ request: Request, context: LifeboatRequestContext) async throws -> Response {
        try await setEnabled(false, context)
    }

    private func setEnabled(_ enabled: Bool, _ context: LifeboatRequestContext) async throws -> Response {
        let job = try await requireJob(context)
        if job.isEnabled != enabled { try await catalog.setJobEnabled(id: job.id, enabled, now: Date()) }
        return Response(status: .noContent)
    }

    /// The job at the path's `jobId`, or a 404.
    private func requireJob(_ context: LifeboatRequestContext) async throws -> BackupJob {
        let id = try context.parameters.requireUUID("jobId")
        guard let job = try await catalog.job(id: id) else { throw RequestError.notFound(resource: "Job", id: id.veeamID) }
        return job
    }

    /// The wire form of jobs, with when each next runs by itself: its schedule read in its organization's time zone,
    /// from now; none for a disabled job.
    private func render(_ jobs: [BackupJob]) async throws -> [RESTJob] {
        var timeZones: [UUID: TimeZone] = [:]
        if !jobs.isEmpty {
            for organization in try await catalog.organizations() { timeZones[organization.id] = organization.timeZone }
        }
        let now = Date()
        return jobs.map { job in
            let timeZone = timeZones[job.organizationID] ?? TimeZone(secondsFromGMT: 0)!
            let nextRun = job.isEnabled ? ScheduleCalendar(schedule: job.schedule, timeZone: timeZone).nextRun(after: now) : nil
            return RESTJob(job, nextRun: nextRun)
        }
    }

    /// `POST /v6/Jobs/{jobId}/start`: queues a backup run on the worker and answers 204 at once.
    ///
    /// The body (`RESTStartJobOptions`) may be empty; a job with a run queued or running is a 409.
    @Sendable func startJob(_ request: Request, context: LifeboatRequestContext) async throws -> Response {
        let id = try context.parameters.requireUUID("jobId")
        let body = try await request.collectBody(upTo: RequestBodyLimit.options)
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

    // MARK: Job sessions

    /// `GET /v6/Jobs/{jobId}/JobSessions`: the job's runs (skipped scheduled runs and retries among them), newest first,
    /// paged by the catalog (`PageOfRESTJobSession`).
    @Sendable func listJobSessionsOfJob(_ request: Request, context: LifeboatRequestContext) async throws -> Response {
        let page = try PageQuery(CaseInsensitiveQuery(request))
        let id = try context.parameters.requireUUID("jobId")
        guard try await catalog.job(id: id) != nil else { throw RequestError.notFound(resource: "Job", id: id.veeamID) }
        return try await sessionsPage(RunFilter(kinds: [.backup], jobID: id), page, request: request)
    }

    /// `GET /v6/JobSessions`: every backup run, newest first, paged by the catalog; `jobType` other than `Backup`
    /// matches none, `endTimeLowerBound` keeps runs that ended at or after it (and those still running).
    @Sendable func listJobSessions(_ request: Request, context: LifeboatRequestContext) async throws -> Response {
        let query = CaseInsensitiveQuery(request)
        let page = try PageQuery(query)
        let endedAfter = try query["endTimeLowerBound"].map { raw in
            guard let time = VeeamDateTime.parse(raw) else {
                throw RequestError.invalidField(name: "endTimeLowerBound", reason: "'\(raw)' is not a date-time")
            }
            return time
        }
        let backups = query["jobType"].map { $0.caseInsensitiveCompare("Backup") == .orderedSame } ?? true
        return try await sessionsPage(RunFilter(kinds: backups ? [.backup] : [], endedAtOrAfter: endedAfter), page, request: request)
    }

    private func sessionsPage(_ filter: RunFilter, _ page: PageQuery, request: Request) async throws -> Response {
        let runs = try await catalog.runs(filter, offset: page.offset, limit: page.limit)
        let total = try await catalog.countRuns(filter)
        var sessions: [RESTJobSession] = []
        for run in runs { sessions.append(try await session(run)) }
        return try JSONResponse.make(page.page(sessions, totalCount: total, request: request))
    }

    /// A run's session; a skipped run's says why it was skipped (the one error the scheduler recorded for it).
    private func session(_ run: JobRun) async throws -> RESTJobSession {
        guard run.state == .skipped else { return RESTJobSession(run) }
        return RESTJobSession(run, skipReason: try await catalog.runErrors(runID: run.id).first?.message)
    }

    /// `GET /v6/JobSessions/{jobSessionsId}`: one backup run.
    @Sendable func getJobSession(_ request: Request, context: LifeboatRequestContext) async throws -> Response {
        let id = try context.parameters.requireUUID("jobSessionsId")
        guard let run = try await catalog.run(id: id), run.kind == .backup else {
            throw RequestError.notFound(resource: "Job session", id: id.veeamID)
        }
        return try JSONResponse.make(try await session(run))
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
