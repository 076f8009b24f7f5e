import Foundation
import HTTPTypes

/// A vendor's OpenAPI 3.0 document, loaded from the test bundle, answering "which schema does this answer follow?".
struct OpenAPIDocument: Sendable {
    /// Why a schema could not be found for an operation.
    struct LookupError: Error, CustomStringConvertible {
        var description: String
    }

    /// The whole document.
    let root: JSONValue

    /// Veeam Backup for Microsoft 365 REST API v6, as Veeam's servers publish it.
    static let veeamV6: OpenAPIDocument = {
        do {
            return try OpenAPIDocument(resource: "vb365_rest_v6")
        } catch {
            fatalError("Cannot load the Veeam v6 OpenAPI document from the test bundle: \(error)")
        }
    }()

    /// Loads `Schemas/<name>.json` from the test bundle.
    init(resource name: String) throws {
        guard let url = Bundle.module.url(forResource: name, withExtension: "json", subdirectory: "Schemas") else {
            throw LookupError(description: "Schemas/\(name).json is not in the test bundle")
        }
        root = try JSONValue(parsing: Data(contentsOf: url))
    }

    /// A validator resolving `$ref`s in this document.
    func validator(allowsUndeclaredProperties: Bool = false) -> SchemaValidator {
        SchemaValidator(document: root, allowsUndeclaredProperties: allowsUndeclaredProperties)
    }

    /// The operation object of a path template (`/v6/Jobs/{jobId}`, matched case-insensitively) and method.
    func operation(_ method: HTTPRequest.Method, _ pathTemplate: String) throws -> JSONValue {
        guard let paths = root["paths"]?.objectValue else { throw LookupError(description: "the document has no paths") }
        let entry = paths[pathTemplate]
            ?? paths.first { $0.key.caseInsensitiveCompare(pathTemplate) == .orderedSame }?.value
        guard let entry else { throw LookupError(description: "the document has no path \(pathTemplate)") }
        guard let operation = entry[method.rawValue.lowercased()] else {
            throw LookupError(description: "the document has no \(method) \(pathTemplate)")
        }
        return operation
    }

    /// The path template of the document that a concrete path (`/v6/Jobs/3f…/JobSessions`, any case, no query)
    /// matches with `method`; the one with the most literal segments when several do.
    func template(matching path: String, method: HTTPRequest.Method = .get) -> String? {
        let segments = path.split(separator: "/").map { $0.lowercased() }
        let candidates = (root["paths"]?.objectValue ?? [:]).filter { $0.value[method.rawValue.lowercased()] != nil }.keys
        var best: (template: String, literals: Int)?
        for template in candidates {
            let parts = template.split(separator: "/")
            guard parts.count == segments.count else { continue }
            var literals = 0
            let matches = zip(parts, segments).allSatisfy { part, segment in
                if part.hasPrefix("{") { return true }
                literals += 1
                return part.lowercased() == segment
            }
            if matches, literals > (best?.literals ?? -1) { best = (template, literals) }
        }
        return best?.template
    }

    /// The response object the document gives for a status: the status itself, else its `4XX`-style range, else `default`.
    func response(_ method: HTTPRequest.Method, _ pathTemplate: String, status: Int) throws -> JSONValue {
        let responses = try operation(method, pathTemplate)["responses"]
        guard let response = responses?["\(status)"] ?? responses?["\(status / 100)XX"] ?? responses?["default"] else {
            throw LookupError(description: "\(method) \(pathTemplate) documents no response \(status) and no default")
        }
        return response
    }

    /// Whether the document lists the status itself (not through `default`) for the operation.
    func documentsStatus(_ method: HTTPRequest.Method, _ pathTemplate: String, status: Int) throws -> Bool {
        try operation(method, pathTemplate)["responses"]?["\(status)"] != nil
    }

    /// The body schema of a response, preferring `application/json`; nil when the response has no body.
    func responseSchema(_ method: HTTPRequest.Method, _ pathTemplate: String, status: Int) throws -> JSONValue? {
        guard let content = try response(method, pathTemplate, status: status)["content"]?.objectValue else { return nil }
        let media = content["application/json"] ?? content["*/*"] ?? content.values.first
        return media?["schema"]
    }
}
