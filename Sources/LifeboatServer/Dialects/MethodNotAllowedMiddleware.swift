import HTTPTypes
import Hummingbird

/// Tells a request for an existing path with a method the path lacks (`TRACE /v6/Jobs`) from one for no path at all:
/// the first is `RequestError.methodNotAllowed` (405 with `Allow`, in the caller's dialect), the second stays a 404.
///
/// Hummingbird builds each route's middleware chain when the route is added, and the chain of unmatched requests when
/// the router starts responding; so this middleware, added after every route, runs only for requests no route took,
/// after authentication and inside the dialects' error middlewares.
struct MethodNotAllowedMiddleware: RouterMiddleware {
    typealias Context = LifeboatRequestContext

    private let routes: [(path: [RouterPath.Element], method: HTTPRequest.Method)]

    /// Creates the middleware for a router's routes (`Router.routes`, taken once every route is added).
    init(routes: [Router<LifeboatRequestContext>.RouteDescription]) {
        self.routes = routes.map { ($0.path.lowercased().components, $0.method) }
    }

    func handle(
        _ request: Request, context: LifeboatRequestContext,
        next: (Request, LifeboatRequestContext) async throws -> Response
    ) async throws -> Response {
        let segments = request.uri.path.lowercased().split(separator: "/", omittingEmptySubsequences: true)
        var allowed: [HTTPRequest.Method] = []
        for route in routes where route.path.count == segments.count && !allowed.contains(route.method) {
            if zip(route.path, segments).allSatisfy({ element, segment in element ~= segment }) {
                allowed.append(route.method)
            }
        }
        guard !allowed.isEmpty, !allowed.contains(request.method) else { return try await next(request, context) }
        throw RequestError.methodNotAllowed(allowed: allowed.sorted { $0.rawValue < $1.rawValue })
    }
}
