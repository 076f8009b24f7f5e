import Catalog
import Foundation
import HTTPTypes
import Hummingbird
import LifeboatModel

/// `POST /connect/token`: the OAuth 2.0 client-credentials grant (RFC 6749 §4.4) for application principals, as
/// AvePoint's identity service answers it to the apps that call its Graph API.
///
/// The client authenticates with `client_id` and `client_secret` in the form, or with HTTP Basic (§2.3.1). `scope`
/// (space-separated, optional) must name scopes the application is granted; the token opens exactly those. Omitted,
/// the token opens every scope the application is granted. Refusals are RFC 6749 §5.2 JSON, never a dialect's shape.
struct ClientCredentialsRoutes {
    let catalog: any CatalogStore
    let issuer: TokenIssuer
    let signIn: SignInGate

    /// Adds `POST connect/token` to the router (the path is public: `BearerAuthMiddleware` lets it through).
    func addRoutes(to router: Router<LifeboatRequestContext>) {
        router.post("connect/token", use: token)
    }

    @Sendable func token(_ request: Request, context: LifeboatRequestContext) async throws -> Response {
        let form: TokenForm
        do {
            form = try await TokenForm.decode(request, context: context)
        } catch let error as RequestError {
            if case .bodyTooLarge = error { throw OAuthError(error) }
            throw OAuthError(code: .invalidRequest, description: "The body must be form-encoded (application/x-www-form-urlencoded).")
        }
        guard let grantType = form["grant_type"], !grantType.isEmpty else {
            throw OAuthError(code: .invalidRequest, description: "grant_type is required; use client_credentials.")
        }
        guard grantType == "client_credentials" else {
            throw OAuthError(
                code: .unsupportedGrantType, description: "grant_type '\(grantType)' is not supported; use client_credentials.")
        }
        let client = try clientCredentials(request, form: form)
        let principal = try await authenticate(client, address: context.clientAddress)
        let scopes = try grantedScopes(requested: form["scope"], principal: principal)
        let access = try await issuer.issueAccessToken(for: principal, scopes: scopes)
        var response = try JSONResponse.make(ClientCredentialsTokenResponse(access))
        response.headers[.cacheControl] = "no-store"
        response.headers[HTTPField.Name("Pragma")!] = "no-cache"
        return response
    }

    private struct ClientCredentials {
        var id: String
        var secret: String
        /// Sent with HTTP Basic: a refusal is then a 401 challenge.
        var viaBasic: Bool
    }

    /// The client's id and secret from the Basic header or the form; using both at once is refused (§2.3).
    private func clientCredentials(_ request: Request, form: TokenForm) throws -> ClientCredentials {
        if let header = request.headers[.authorization], header.lowercased().hasPrefix("basic ") {
            guard form["client_secret"] == nil else {
                throw OAuthError(
                    code: .invalidRequest, description: "Authenticate the client with HTTP Basic or with client_secret, not both.")
            }
            let encoded = header.dropFirst("basic ".count).trimmingCharacters(in: .whitespaces)
            guard let decoded = Data(base64Encoded: encoded).map({ String(decoding: $0, as: UTF8.self) }),
                let colon = decoded.firstIndex(of: ":"),
                let id = String(decoded[..<colon]).formDecoded, let secret = String(decoded[decoded.index(after: colon)...]).formDecoded,
                !id.isEmpty
            else {
                throw OAuthError(code: .invalidClient, description: "The Basic credentials are malformed.", challengeBasic: true)
            }
            return ClientCredentials(id: id, secret: secret, viaBasic: true)
        }
        guard let id = form["client_id"], !id.isEmpty else {
            throw OAuthError(code: .invalidRequest, description: "client_id is required.")
        }
        guard let secret = form["client_secret"], !secret.isEmpty else {
            throw OAuthError(code: .invalidRequest, description: "client_secret is required.")
        }
        return ClientCredentials(id: id, secret: secret, viaBasic: false)
    }

    /// The application the credentials belong to; unknown ids spend a hash, so they cannot be told from wrong secrets.
    /// While the client id or the address must wait after failures, a 429 with `Retry-After`.
    private func authenticate(_ client: ClientCredentials, address: String?) async throws -> Principal {
        let credential = try await catalog.credential(name: client.id).flatMap { $0.principal.kind == .application ? $0 : nil }
        let matches: Bool
        do {
            matches = try await signIn.verify(name: client.id, secret: client.secret, credential: credential, address: address)
        } catch let error as RequestError {
            throw OAuthError(error)
        }
        guard matches, let credential else {
            throw OAuthError(
                code: .invalidClient, description: "The client id or secret is incorrect.", challengeBasic: client.viaBasic)
        }
        return credential.principal
    }

    /// The scopes the token will open: the requested ones (canonical spelling, each granted), or every granted one.
    private func grantedScopes(requested: String?, principal: Principal) throws -> [String] {
        let names = (requested ?? "").split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        guard !names.isEmpty else { return principal.scopes }
        var scopes: [String] = []
        var refused: [String] = []
        for name in names {
            let canonical = APIScope.canonical(name) ?? name
            if !principal.grants(canonical) || APIScope.canonical(name) == nil {
                refused.append(name)
            } else if !scopes.contains(canonical) {
                scopes.append(canonical)
            }
        }
        guard refused.isEmpty else {
            throw OAuthError(
                code: .invalidScope,
                description: "The client is not granted \(refused.joined(separator: ", ")); it is granted \(principal.scopes.joined(separator: " ")).")
        }
        return scopes
    }
}
