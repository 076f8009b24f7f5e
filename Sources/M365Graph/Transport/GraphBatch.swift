import Foundation

/// Graph's JSON batching (`POST /$batch`): up to 20 requests in one round trip, each answered, throttled and charged
/// on its own.
enum GraphBatch {
    /// Requests one batch may carry.
    static let limit = 20
    /// Batches one call sends at a time.
    static let parallelBatches = 4

    /// The body of a batch.
    struct Body: Encodable {
        var requests: [Request]
    }

    /// One request of a batch; `url` is relative to the versioned base (`/drives/...`).
    struct Request: Encodable {
        var id: String
        var method: String
        var url: String
    }

    /// The answer to a batch whose successful entries carry a `Body`.
    struct Answer<Body: Decodable>: Decodable {
        var responses: [Entry]

        /// One request's answer; `body` is nil when it is not a `Body` (an error, say).
        struct Entry: Decodable {
            var id: String
            var status: Int
            var headers: [String: String]
            var body: Body?

            enum CodingKeys: String, CodingKey {
                case id, status, headers, body
            }

            init(from decoder: any Decoder) throws {
                let container = try decoder.container(keyedBy: CodingKeys.self)
                id = try container.decode(String.self, forKey: .id)
                status = try container.decode(Int.self, forKey: .status)
                headers = (try? container.decode([String: String].self, forKey: .headers)) ?? [:]
                body = status == 200 ? try? container.decode(Body.self, forKey: .body) : nil
            }

            /// A header of the entry, whatever the case of its name.
            func header(_ name: String) -> String? {
                headers.first { $0.key.caseInsensitiveCompare(name) == .orderedSame }?.value
            }
        }
    }
}
