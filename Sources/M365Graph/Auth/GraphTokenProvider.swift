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
    private var cached: CachedToken?
    private var refreshing: Task<CachedToken, any Error>?

    /// Tokens are renewed this long before they expire, so a request never leaves with a token about to die.
    private static let renewalMargin: Duration = .seconds(120)

    init(httpClient: HTTPClient, endpoints: GraphEndpoints, credentials: GraphCredentials, userAgent: String) {
        self.httpClient = httpClient
        self.endpoints = endpoints
        self.credentials = credentials
        self.userAgent = userAgent
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

    /// Delays before the second, third and fourth token requests when the endpoint is unreachable or answers 429/5xx.
    static let retryDelays: [Duration] = [.milliseconds(500), .seconds(2), .seconds(5)]

    /// Requests a token, retrying what a moment's wait can fix (a broken connection, a timeout, 429, 5xx), so one slow
    /// answer from the sign-in service does not fail a whole run. A refusal (wrong secret, unknown tenant) is final.
    private func fetchToken() async throws -> CachedToken {
        var delays = Self.retryDelays[...]
        while true {
            do {
                return try await requestToken()
            } catch let error as GraphError where Self.isTransient(error) {
                guard let delay = delays.popFirst() else { throw error }
                try await Task.sleep(for: delay)
            }
        }
    }

    private static func isTransient(_ error: GraphError) -> Bool {
        switch error {
        case .transport: return true
        case .authenticationFailed(let status, _): return status == 429 || status >= 500
        default: return false
        }
    }

    private func requestToken() async throws -> CachedToken {
        let tenant = credentials.tenantID.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? credentials.tenantID
        var request = HTTPClientRequest(url: "\(endpoints.loginBaseURL)/\(tenant)/oauth2/v2.0/token")
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
            throw GraphError.transport("token endpoint: \(error)")
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
