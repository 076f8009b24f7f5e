import Hummingbird

/// Refuses (403) authenticated requests whose principal does not grant `scope`, so one dialect's tokens cannot reach
/// another's routes: Veeam's API is for administrators, and an AvePoint application registration granted only
/// `microsoft365backup.restore.readwrite.all` must not list or start Veeam jobs.
///
/// Requests without a principal pass untouched: they are the public routes (token endpoints), since
/// `BearerAuthMiddleware` has already refused anonymous requests to every other path.
struct RequiredScopeMiddleware: RouterMiddleware {
    typealias Context = LifeboatRequestContext

    let scope: String

    func handle(
        _ request: Request, context: LifeboatRequestContext,
        next: (Request, LifeboatRequestContext) async throws -> Response
    ) async throws -> Response {
        if context.principal != nil { try context.requireScope(scope) }
        return try await next(request, context)
    }
}
