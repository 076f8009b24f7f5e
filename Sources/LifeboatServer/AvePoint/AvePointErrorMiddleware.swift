import BackupEngine
import Foundation
import Hummingbird
import Logging

/// Gives every `/backup/m365` request its envelope identity and renders every failure of one in AvePoint's envelope.
///
/// Installed on the whole router ahead of `BearerAuthMiddleware`, so a missing token (401) and an unknown path (404)
/// answer in the envelope too; requests outside the prefix pass through untouched, to `VeeamErrorMiddleware` or the
/// token endpoint. Unexpected errors answer 500 with a generic message and are logged; their details never reach the
/// caller.
struct AvePointErrorMiddleware: RouterMiddleware {
    typealias Context = LifeboatRequestContext

    /// The dialect's lower-cased path prefix.
    static let pathPrefix = "/backup/m365/"

    private let numbering = AvePointRequestNumbering()

    func handle(
        _ request: Request, context: LifeboatRequestContext,
        next: (Request, LifeboatRequestContext) async throws -> Response
    ) async throws -> Response {
        guard (request.uri.path.lowercased() + "/").hasPrefix(Self.pathPrefix) else { return try await next(request, context) }
        var context = context
        let identity = numbering.next(for: request)
        context.avePoint = identity
        do {
            return try await next(request, context)
        } catch let error as AvePointValidationError {
            return try AvePointEnvelope.refusal(.badRequest, message: "Bad Request", errors: error.errors, identity: identity)
        } catch let error as RequestError {
            switch error {
            case .invalidField(let name, let reason):
                return try AvePointEnvelope.refusal(
                    .badRequest, message: "Bad Request", errors: [AvePointAPIError(field: name, message: reason)], identity: identity)
            case .invalidBody(let detail):
                return try AvePointEnvelope.refusal(
                    .badRequest, message: "Bad Request",
                    errors: [AvePointAPIError(field: RestoreJobForm.bodyField, message: detail)], identity: identity)
            default:
                return try AvePointEnvelope.refusal(error.status, message: error.message, identity: identity).adding(error.headers)
            }
        } catch let error as EngineError {
            switch error {
            case .tooManyRestoreJobs:
                return try AvePointEnvelope.refusal(.tooManyRequests, message: error.description, identity: identity)
            case .jobNotFound, .organizationNotFound, .repositoryNotFound:
                return try AvePointEnvelope.refusal(.notFound, message: error.description, identity: identity)
            case .invalidRestoreRequest:
                return try AvePointEnvelope.refusal(.badRequest, message: error.description, identity: identity)
            default:
                context.logger.error("Engine failure", metadata: ["lifeboat.error": "\(error)"])
                return try AvePointEnvelope.refusal(.internalServerError, message: error.description, identity: identity)
            }
        } catch let error as HTTPError {
            return try AvePointEnvelope.refusal(
                error.status, message: error.body ?? Self.message(for: error.status, request: request), identity: identity)
        } catch {
            context.logger.error("Unexpected failure", metadata: ["lifeboat.error": "\(error)"])
            return try AvePointEnvelope.refusal(
                .internalServerError, message: "The server failed to process the request.", identity: identity)
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
}
