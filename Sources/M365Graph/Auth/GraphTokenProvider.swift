import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOFoundationCompat
import NIOHTTP1

/// Obtains and caches client-credential access tokens for one tenant; at most one refresh is in flight.
actor GraphTokenProvider {
    private struct CachedToken {
        var value: String
        var expiresAt: ContinuousClock.Instant
    }

    private let httpClient: HTTPClient
    private let endpoints: GraphEndpoints
    private let credentials: GraphCredentials
    private let userAgent: String
    private let retryDelays: [Duration]
    private let logger: Logger
    private var cached: CachedToken?
    private var refreshing: Task<CachedToken, any Error>?

    /// Tokens are renewed this long before they expire, so a request never leaves with a token about to die.
    private static let renewalMargin: Duration = .seconds(120)

    /// - Parameter retryDelays: the waits before the second, third... token requests (see `GraphClient.RetryPolicy`).
    init(
        httpClient: HTTPClient, endpoints: GraphEndpoints, credentials: GraphCredentials, userAgent: String,
        retryDelays: [Duration], logger: Logger
    ) {
        self.httpClient = httpClient
        self.endpoints = endpoints
        self.credentials = credentials
        self.userAgent = userAgent
        self.retryDelays = retryDelays
        self.logger = logger
    }

    /// A valid access token, fetching a new one if the cached one is missing or about to expire.
    func accessToken() async throws -> String {
        if let cached, cached.expiresAt - Self.renewalMargin > .now { return cached.value }
        if let refreshing { return try await refreshing.value.value }
        let task = Task { try await self.fetchToken() }
        refreshing = task
        defer { refreshing = nil }
        let token = try await task.value
        cached = token
        return token.value
    }

    /// Forgets the cached token (Graph said it is no longer valid).
    func invalidate(_ token: String) {
        if cached?.value == token { cached = nil }
    }

    /// Requests a token, retrying what a moment's wait can fix (a refused or broken connection, a timeout, 429, 5xx), so
    /// one slow answer from the sign-in service does not fail a whole run; each retry is logged as a warning as it
    /// happens. A refusal (wrong secret, unknown tenant) is final.
    private func fetchToken() async throws -> CachedToken {
        var delays = retryDelays[...]
        var attempt = 1
        while true {
            do {
                return try await requestToken()
            } catch let error as GraphError where Self.isTransient(error) {
                guard let delay = delays.popFirst() else { throw error }
                attempt += 1
                logger.warning(
                    "\(error) Retrying in \(delay) (attempt \(attempt) of \(retryDelays.count + 1)).",
                    metadata: ["lifeboat.graph.endpoint": "\(tokenURL)"])
                try await Task.sleep(for: delay)
            }
        }
    }

    private static func isTransient(_ error: GraphError) -> Bool {
        switch error {
        case .transport, .unreachable: return true
        case .authenticationFailed(let status, _): return status == 429 || status >= 500
        default: return false
        }
    }

    /// The tenant's token endpoint.
    private var tokenURL: String {
        let tenant = credentials.tenantID.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? credentials.tenantID
        return "\(endpoints.loginBaseURL)/\(tenant)/oauth2/v2.0/token"
    }

    private func requestToken() async throws -> CachedToken {
        let url = tokenURL
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
        request.headers.add(name: "User-Agent", value: userAgent)
        let form = [
            ("client_id", credentials.clientID), ("client_secret", credentials.clientSecret),
            ("scope", endpoints.defaultScope), ("grant_type", "client_credentials"),
        ].map { "\($0.0)=\($0.1.formURLEncoded)" }.joined(separator: "&")
        request.body = .bytes(ByteBuffer(string: form))
        let response: HTTPClientResponse
        do {
            response = try await httpClient.execute(request, timeout: .seconds(60))
        } catch {
            if let reason = ConnectionFailure.reason(error) { throw GraphError.unreachable(url: url, reason: reason) }
            throw GraphError.transport("token endpoint \(url): \(error)")
        }
        let body = try await response.body.collect(upTo: 1 << 20)
        guard response.status == .ok else {
            let detail = (try? JSONDecoder().decode(OAuthError.self, from: body))
                .map { "\($0.error): \($0.errorDescription ?? "")" } ?? "HTTP \(response.status.code)"
            throw GraphError.authenticationFailed(status: Int(response.status.code), message: detail)
        }
        guard let answer = try? JSONDecoder().decode(TokenAnswer.self, from: body) else {
            throw GraphError.invalidResponse("token endpoint answer is not a token")
        }
        return CachedToken(value: answer.accessToken, expiresAt: .now + .seconds(answer.expiresIn))
    }

    private struct TokenAnswer: Decodable {
        var accessToken: String
        var expiresIn: Int
        enum CodingKeys: String, CodingKey {
            case accessToken = "access_token"
            case expiresIn = "expires_in"
        }
    }

    private struct OAuthError: Decodable {
        var error: String
        var errorDescription: String?
        enum CodingKeys: String, CodingKey {
            case error
            case errorDescription = "error_description"
        }
    }
}

extension String {
    /// Percent-encoding for `application/x-www-form-urlencoded` values.
    var formURLEncoded: String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._*")
        return addingPercentEncoding(withAllowedCharacters: allowed) ?? self
    }
}
