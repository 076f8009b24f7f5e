extension GraphClient {
    /// Signs in as the app registration (client credentials) and forgets nothing: the token is cached for the calls
    /// that follow. Use it to check credentials before relying on them.
    ///
    /// Throws `GraphError.authenticationFailed` when the sign-in service refuses them (wrong secret, unknown tenant or
    /// client), `GraphError.transport` when it cannot be reached after the token provider's retries.
    public func signIn() async throws {
        _ = try await tokens.accessToken()
    }
}
