import BackupEngine
import Foundation
import Hummingbird
import Logging

/// Renders every failure of a Veeam-dialect request as `RESTExceptionInfo` (`{"message": ...}`) with the right status.
///
/// Installed on the whole router so that unknown `/v6` paths and methods answer in Veeam's shape too; requests
/// outside the dialect's path prefixes pass through untouched. Unexpected errors answer 500 with a generic
/// message and are logged; their details never reach the caller.
struct VeeamErrorMiddleware: RouterMiddleware {
    typealias Context = LifeboatRequestContext

    /// Lower-cased path prefixes of the dialect (`/v6/`).
    let pathPrefixes: [String]

    /// Creates the middleware for the Veeam API versions Lifeboat serves.
    init(pathPrefixes: [String] = ["/v6/", "/v3/"]) {
        self.pathPrefixes = pathPrefixes
    }

    func handle(
        _ request: Request, context: LifeboatRequestContext,
        next: (Request, LifeboatRequestContext) async throws -> Response
    ) async throws -> Response {
        let path = request.uri.path.lowercased() + "/"
        guard pathPrefixes.contains(where: { path.hasPrefix($0) }) else { return try await next(request, context) }
        do {
            return try await next(request, context)
        } catch let error as RequestError {
            return try Self.response(error.status, error.message).adding(error.headers)
        } catch let error as EngineError {
            switch error {
            case .jobNotFound, .organizationNotFound, .repositoryNotFound:
                return try Self.response(.notFound, error.description)
            case .jobAlreadyRunning:
                return try Self.response(.conflict, error.description)
            case .tooManyRestoreJobs:
                return try Self.response(.tooManyRequests, error.description)
            case .invalidRestoreRequest:
                return try Self.response(.badRequest, error.description)
            default:
                context.logger.error("Engine failure", metadata: ["lifeboat.error": "\(error)"])
                return try Self.response(.internalServerError, error.description)
            }
        } catch let error as HTTPError {
            return try Self.response(error.status, error.body ?? Self.message(for: error.status, request: request))
        } catch {
            context.logger.error("Unexpected failure", metadata: ["lifeboat.error": "\(error)"])
            return try Self.response(.internalServerError, "The server failed to process the request.")
        }
    }

    /// A message for Hummingbird's own errors, which carry none (unknown route, body too large...).
    private static func message(for status: HTTPResponse.Status, request: Request) -> String {
        switch status {
        case .notFound: "No resource matches \(request.method) \(request.uri.path)."
        case .contentTooLarge: "The request body is too large."
        default: status.reasonPhrase
        }
    }

    static func response(_ status: HTTPResponse.Status, _ message: String) throws -> Response {
        try JSONResponse.make(RESTExceptionInfo(message: message), status: status)
    }
}
