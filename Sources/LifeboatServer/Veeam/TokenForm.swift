import Foundation
import Hummingbird

/// The fields of a token request, form-encoded (`application/x-www-form-urlencoded`) or JSON.
struct TokenForm {
    private var fields: [String: String]

    subscript(_ name: String) -> String? { fields[name] }

    /// Reads the request body (at most `RequestBodyLimit.tokenForm`); a body that is neither form nor JSON object is a 400.
    static func decode(_ request: Request, context: LifeboatRequestContext) async throws -> TokenForm {
        let buffer = try await request.collectBody(upTo: RequestBodyLimit.tokenForm)
        let text = String(buffer: buffer)
        let contentType = request.headers[.contentType]?.lowercased() ?? ""
        if contentType.contains("json") {
            guard let object = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] else {
                throw RequestError.invalidBody("expected a JSON object with grant_type")
            }
            var fields: [String: String] = [:]
            for (key, value) in object {
                if let string = value as? String { fields[key] = string }
            }
            return TokenForm(fields: fields)
        }
        var fields: [String: String] = [:]
        for pair in text.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1).map(String.init)
            guard let key = parts.first?.formDecoded else { continue }
            fields[key] = parts.count > 1 ? (parts[1].formDecoded ?? "") : ""
        }
        return TokenForm(fields: fields)
    }
}
