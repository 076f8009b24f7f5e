import Foundation
import Hummingbird

/// The body of every `/backup/m365` answer: `{statusCode, message, errors, data, requestId, timestamp, traceId}`.
///
/// All seven keys are always written: `errors` is `[]` and `data` is `null` when there is nothing to say.
struct AvePointEnvelope<Payload: Encodable & Sendable>: Encodable, Sendable {
    var statusCode: Int
    /// Empty on success; the reason phrase (`Bad Request`) or what went wrong otherwise.
    var message: String
    var errors: [AvePointAPIError]
    var data: Payload?
    var requestId: String
    var timestamp: String
    var traceId: String

    enum CodingKeys: String, CodingKey {
        case statusCode, message, errors, data, requestId, timestamp, traceId
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(statusCode, forKey: .statusCode)
        try container.encode(message, forKey: .message)
        try container.encode(errors, forKey: .errors)
        try container.encode(data, forKey: .data)
        try container.encode(requestId, forKey: .requestId)
        try container.encode(timestamp, forKey: .timestamp)
        try container.encode(traceId, forKey: .traceId)
    }

    /// The response carrying this envelope, with `statusCode` as its HTTP status.
    ///
    /// Keys come sorted, like every Lifeboat answer: Foundation's encoder on Linux keeps no declaration order, and JSON
    /// clients do not depend on it.
    func response() throws -> Response {
        try JSONResponse.make(self, status: HTTPResponse.Status(code: statusCode))
    }
}

extension AvePointEnvelope {
    /// A 200 answer carrying `data`.
    static func ok(_ data: Payload, identity: AvePointRequestIdentity) throws -> Response {
        try AvePointEnvelope(
            statusCode: 200, message: "", errors: [], data: data, requestId: identity.requestID,
            timestamp: identity.timestamp, traceId: identity.traceID
        ).response()
    }
}

extension AvePointEnvelope where Payload == Never {
    /// A refusal: no data, a message, and the field-level errors if any.
    static func refusal(
        _ status: HTTPResponse.Status, message: String, errors: [AvePointAPIError] = [], identity: AvePointRequestIdentity
    ) throws -> Response {
        try AvePointEnvelope(
            statusCode: status.code, message: message, errors: errors, data: nil, requestId: identity.requestID,
            timestamp: identity.timestamp, traceId: identity.traceID
        ).response()
    }
}
