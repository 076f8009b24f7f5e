import Foundation
import Hummingbird
import NIOCore
import Synchronization

extension GraphResponder {
    /// Requests one JSON batch may carry, as in Graph.
    static let batchLimit = 20

    /// `POST /v1.0/$batch` (`{"requests": [{"id", "method", "url"}]}`): answers every request of the batch as if it had
    /// come alone, concurrently, with the batch's `Authorization`; each is authenticated, charged against the budget,
    /// faulted and logged on its own, so a batch saves round trips, never resource units. The batch answers 200 with
    /// `{"responses": [{"id", "status", "headers", "body"}]}` and, under a budget, `x-ms-resource-unit` summing its
    /// requests' costs. Only `GET` requests are batched here (a backup batches reads); another method answers 400 in
    /// its own entry. A batch that is not JSON, is empty, holds more than 20 requests or repeats an id answers 400.
    func batch(_ call: Call, context: BasicRequestContext) async throws -> Response {
        if let denied = await authenticate(call) { return denied }
        var request = call.request
        let json = try GraphJSON.object(try await request.collectBody(upTo: 1 << 20))
        guard let entries = json["requests"] as? [[String: Any]], !entries.isEmpty else {
            throw M365SimulatorError.invalidRequest("The batch needs a non-empty 'requests' array.")
        }
        guard entries.count <= Self.batchLimit else {
            throw M365SimulatorError.invalidRequest("A batch holds at most \(Self.batchLimit) requests; this one has \(entries.count).")
        }
        var parsed: [(id: String, method: String, url: String)] = []
        for entry in entries {
            guard let id = entry["id"] as? String, let method = entry["method"] as? String, let url = entry["url"] as? String
            else {
                throw M365SimulatorError.invalidRequest("Every request of a batch needs a string 'id', 'method' and 'url'.")
            }
            guard !parsed.contains(where: { $0.id == id }) else {
                throw M365SimulatorError.invalidRequest("The id '\(id)' appears twice in the batch.")
            }
            parsed.append((id, method.uppercased(), url))
        }
        let answers = await withTaskGroup(of: (Int, BatchAnswer).self) { group in
            for (index, entry) in parsed.enumerated() {
                group.addTask { (index, await self.answer(entry, in: call, context: context)) }
            }
            var answers = [BatchAnswer?](repeating: nil, count: parsed.count)
            for await (index, answer) in group { answers[index] = answer }
            return answers.compactMap { $0 }
        }
        var headers: HTTPFields = [:]
        let charged = answers.compactMap { $0.headers["x-ms-resource-unit"].flatMap { Int($0) } }
        if !charged.isEmpty { headers[HTTPFields.Element.Name("x-ms-resource-unit")!] = String(charged.reduce(0, +)) }
        // The tightest `RateLimit-*` any request of the batch reported stands for the batch.
        if let tightest = answers.filter({ $0.headers["RateLimit-Remaining"] != nil })
            .min(by: { Int($0.headers["RateLimit-Remaining"]!) ?? 0 < Int($1.headers["RateLimit-Remaining"]!) ?? 0 })
        {
            for name in ["RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset"] {
                if let value = tightest.headers[name] { headers[HTTPFields.Element.Name(name)!] = value }
            }
        }
        return GraphJSON.response(.ok, ["responses": answers.map(\.json)], headers: headers)
    }

    /// One request's entry in a batch answer.
    struct BatchAnswer: Sendable {
        var id: String
        var status: Int
        var headers: [String: String]
        var body: ByteBuffer

        var json: [String: Any] {
            var json: [String: Any] = ["id": id, "status": status, "headers": headers]
            if body.readableBytes > 0 { json["body"] = JSONText.Raw(body) }
            return json
        }
    }

    /// Answers one request of a batch through `respond`, as if it had arrived alone.
    private func answer(
        _ entry: (id: String, method: String, url: String), in call: Call, context: BasicRequestContext
    ) async -> BatchAnswer {
        guard entry.method == "GET" else {
            return BatchAnswer(
                id: entry.id, status: 400, headers: ["Content-Type": "application/json"],
                body: JSONText.buffer([
                    "error": ["code": "invalidRequest", "message": "The simulator batches GET requests only, not \(entry.method)."]
                ]))
        }
        let relative = entry.url.hasPrefix("/") ? entry.url : "/" + entry.url
        var fields: HTTPFields = [:]
        for name in [HTTPFields.Element.Name.authorization, .userAgent] {
            if let value = call.request.headers[name] { fields[name] = value }
        }
        let head = HTTPRequest(
            method: .get, scheme: "http", authority: call.request.head.authority, path: "/v1.0" + relative, headerFields: fields)
        do {
            let response = try await respond(to: Request(head: head, body: RequestBody(buffer: ByteBuffer())), context: context)
            let collected = CollectedBody()
            try await response.body.write(CollectingWriter(into: collected))
            var headers: [String: String] = [:]
            for field in response.headers { headers[field.name.rawName] = field.value }
            return BatchAnswer(id: entry.id, status: Int(response.status.code), headers: headers, body: collected.buffer)
        } catch {
            return BatchAnswer(
                id: entry.id, status: 500, headers: ["Content-Type": "application/json"],
                body: JSONText.buffer(["error": ["code": "generalException", "message": "\(error)"]]))
        }
    }

    /// A response body gathered in memory (batched answers are JSON of a few KiB).
    private final class CollectedBody: Sendable {
        private let state = Mutex(ByteBuffer())

        var buffer: ByteBuffer { state.withLock { $0 } }

        func append(_ buffer: ByteBuffer) {
            state.withLock { collected in
                var buffer = buffer
                collected.writeBuffer(&buffer)
            }
        }
    }

    /// Writes a response body into a `CollectedBody` (`ResponseBody.write` consumes its writer).
    private struct CollectingWriter: ResponseBodyWriter {
        let body: CollectedBody

        init(into body: CollectedBody) {
            self.body = body
        }

        mutating func write(_ buffer: ByteBuffer) async throws {
            body.append(buffer)
        }

        consuming func finish(_ trailingHeaders: HTTPFields?) async throws {}
    }
}
