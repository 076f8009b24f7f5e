import BackupEngine
import Foundation
import Hummingbird
import Logging

/// Renders every failure of a Veeam-dialect route as `RESTExceptionInfo` (`{"message": ...}`) with the right status.
///
/// Unexpected errors answer 500 with a generic message and are logged; details never leak to the caller.
struct VeeamErrorMiddleware: RouterMiddleware {
    typealias Context = LifeboatRequestContext

    func handle(
        _ request: Request, context: LifeboatRequestContext,
        next: (Request, LifeboatRequestContext) async throws -> Response
    ) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as RequestError {
            return try Self.response(error.status, error.message)
        } catch let error as EngineError {
            switch error {
            case .jobNotFound, .organizationNotFound, .repositoryNotFound:
                return try Self.response(.notFound, error.description)
            case .jobAlreadyRunning:
                return try Self.response(.conflict, error.description)
            default:
                context.logger.error("Engine failure", metadata: ["lifeboat.error": "\(error)"])
                return try Self.response(.internalServerError, error.description)
            }
        } catch let error as HTTPError {
            return try Self.response(error.status, error.body ?? error.status.reasonPhrase)
        } catch {
            context.logger.error("Unexpected failure", metadata: ["lifeboat.error": "\(error)"])
            return try Self.response(.internalServerError, "The server failed to process the request.")
        }
    }

    static func response(_ status: HTTPResponse.Status, _ message: String) throws -> Response {
        let data = try JSONEncoder().encode(RESTExceptionInfo(message: message))
        return Response(
            status: status, headers: [.contentType: "application/json; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}
