import HTTPTypes
import Hummingbird

/// A refusal of the client-credentials token endpoint, answered as RFC 6749 §5.2 JSON: `{error, error_description}`.
struct OAuthError: Error, HTTPResponseError, Sendable {
    /// RFC 6749's error codes that Lifeboat answers.
    enum Code: String, Sendable {
        /// A required parameter is missing or repeated, or the body is not a form.
        case invalidRequest = "invalid_request"
        /// Unknown client, wrong secret, or a principal that is not an application.
        case invalidClient = "invalid_client"
        /// A grant other than `client_credentials`.
        case unsupportedGrantType = "unsupported_grant_type"
        /// A requested scope the application is not granted.
        case invalidScope = "invalid_scope"
    }

    var code: Code
    /// What the client must change, for a developer reading it.
    var description: String
    /// Set when the client authenticated with HTTP Basic: the answer is then a 401 with `WWW-Authenticate` (§5.2).
    var challengeBasic = false
    /// A refusal that is not about the request's parameters (413 body too large, 429 throttled) answers this status,
    /// with `headers` (`Retry-After`), in the same JSON shape.
    var refusal: (status: HTTPResponse.Status, headers: HTTPFields)? = nil

    var status: HTTPResponse.Status { refusal?.status ?? (challengeBasic ? .unauthorized : .badRequest) }

    /// The client-credentials endpoint's form of a refusal made before the credentials were looked at.
    init(_ error: RequestError) {
        self.init(code: .invalidRequest, description: error.message, refusal: (error.status, error.headers))
    }

    /// Creates a refusal.
    init(
        code: Code, description: String, challengeBasic: Bool = false,
        refusal: (status: HTTPResponse.Status, headers: HTTPFields)? = nil
    ) {
        self.code = code
        self.description = description
        self.challengeBasic = challengeBasic
        self.refusal = refusal
    }

    func response(from request: Request, context: some RequestContext) throws -> Response {
        var response = try JSONResponse.make(["error": code.rawValue, "error_description": description], status: status)
        response.headers[.cacheControl] = "no-store"
        response.headers[HTTPField.Name("Pragma")!] = "no-cache"
        if challengeBasic { response.headers[.wwwAuthenticate] = "Basic realm=\"lifeboat\"" }
        if let refusal { response.headers.append(contentsOf: refusal.headers) }
        return response
    }
}
