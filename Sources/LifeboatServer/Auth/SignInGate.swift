import Catalog

/// Where every password or client secret is checked: the throttle first, then scrypt on the hashing pool.
struct SignInGate: Sendable {
    let pool: PasswordHashingPool
    let throttle: SignInThrottle

    /// Whether `secret` is the secret of `credential` (nil: no principal of that name and kind, which still spends a
    /// hash). Throws `RequestError.signInThrottled` while `name` or `address` must wait after failures, and
    /// `RequestError.busy` when the hashing queue is full; neither counts as a failure.
    func verify(name: String, secret: String, credential: StoredCredential?, address: String?) async throws -> Bool {
        if let seconds = await throttle.begin(principal: name, address: address) {
            throw RequestError.signInThrottled(retryAfterSeconds: seconds)
        }
        let matches: Bool
        do {
            matches = try await pool.verify(secret, against: credential?.secretHash)
        } catch {
            // Not verified (the queue was full): neither a failure nor a success.
            await throttle.finish(principal: name, address: address, succeeded: nil)
            throw error
        }
        await throttle.finish(principal: name, address: address, succeeded: matches)
        return matches
    }
}
