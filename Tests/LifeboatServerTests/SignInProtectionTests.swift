import BackupEngine
import Catalog
import Foundation
import HTTPTypes
import HummingbirdTesting
import LifeboatModel
import LifeboatServer
import LifeboatTestSupport
import NIOCore
import Synchronization
import Testing

/// A clock a test moves by hand, for the sign-in throttle.
final class ManualTime: Sendable {
    private let elapsed = Mutex(Duration.zero)

    /// The time now.
    var now: Duration { elapsed.withLock { $0 } }

    /// Moves the clock forward.
    func advance(by duration: Duration) {
        elapsed.withLock { $0 += duration }
    }
}

/// A count shared by concurrent tasks.
final class SharedCount: Sendable {
    private let count = Mutex(0)

    /// The count now.
    var value: Int { count.withLock { $0 } }

    /// Adds one.
    func increment() {
        count.withLock { $0 += 1 }
    }
}

@Suite("Sign-in protection: failed sign-ins slow guessing, and password hashing never stalls other requests")
struct SignInProtectionTests {
    @Test("after 60 wrong passwords the right one is refused with 429 and Retry-After in Veeam's shape, and taken once the wait has passed")
    func wrongPasswordsThrottleThePrincipal() async throws {
        let time = ManualTime()
        let throttle = SignInThrottle(policy: SignInThrottlePolicy(), now: { time.now })
        try await VeeamAPIHarness.with(signInThrottle: throttle) { api in
            func attempt(_ password: String) async throws -> TestResponse {
                try await api.requestToken([("grant_type", "password"), ("username", VeeamAPIHarness.username), ("password", password)])
            }
            var statuses: [HTTPResponse.Status] = []
            for guess in 0..<60 { statuses.append(try await attempt("guess \(guess)").status) }
            #expect(statuses.prefix(5).allSatisfy { $0 == .badRequest }, "the first failures are ordinary refusals")
            #expect(statuses.dropFirst(5).allSatisfy { $0 == .tooManyRequests }, "then every attempt must wait: \(statuses)")

            let refused = try await attempt(VeeamAPIHarness.password)
            try api.expectRefusal(refused, .tooManyRequests, .post, "/v6/token", mentioning: "Too many failed sign-ins")
            let wait = try #require(refused.headers[.retryAfter].flatMap(Int.init))
            #expect(wait >= 1)
            #expect(try await attempt(VeeamAPIHarness.password).status == .tooManyRequests, "no time has passed")

            time.advance(by: .seconds(wait))
            let accepted = try await attempt(VeeamAPIHarness.password)
            #expect(accepted.status == .ok, "\(String(buffer: accepted.body))")
            #expect(try api.conformingBody(accepted, .post, "/v6/token")["access_token"]?.stringValue?.isEmpty == false)
            #expect(try await attempt("one more slip").status == .badRequest, "a success starts the count again")
        }
    }

    @Test("wrong client secrets on /connect/token are throttled too: 429 with Retry-After in the OAuth error shape")
    func wrongSecretsThrottleTheApplication() async throws {
        let time = ManualTime()
        let throttle = SignInThrottle(policy: SignInThrottlePolicy(freeFailures: 3), now: { time.now })
        try await VeeamAPIHarness.with(signInThrottle: throttle) { api in
            let application = Principal(name: "backup-reader", kind: .application, scopes: ["jobInfo.read.all"])
            try await api.fixture.catalog.insertPrincipal(
                StoredCredential(principal: application, secretHash: try api.hasher.hash("the real secret")))
            func attempt(_ secret: String) async throws -> TestResponse {
                try await api.requestToken(
                    [("grant_type", "client_credentials"), ("client_id", "backup-reader"), ("client_secret", secret)],
                    path: "/connect/token")
            }
            for guess in 0..<3 {
                let refused = try await attempt("guess \(guess)")
                #expect(refused.status == .badRequest)
                #expect(try JSONValue(parsing: String(buffer: refused.body))["error"]?.stringValue == "invalid_client")
            }
            let throttled = try await attempt("the real secret")
            #expect(throttled.status == .tooManyRequests)
            #expect(throttled.headers[.retryAfter] == "1")
            let body = try JSONValue(parsing: String(buffer: throttled.body))
            #expect(body["error"]?.stringValue == "invalid_request")
            #expect(body["error_description"]?.stringValue?.contains("Too many failed sign-ins") == true)
            time.advance(by: .seconds(1))
            #expect(try await attempt("the real secret").status == .ok)
        }
    }

    @Test("failures from one address throttle that address for every name, not other addresses; waits double up to the cap")
    func throttlePerAddressWithGrowingDelay() async throws {
        let time = ManualTime()
        let policy = SignInThrottlePolicy(freeFailures: 2, firstDelay: .seconds(1), maximumDelay: .seconds(8), forgetAfter: .seconds(600))
        let throttle = SignInThrottle(policy: policy, now: { time.now })
        /// One attempt that fails, or the wait it was refused with.
        func fail(_ name: String, from address: String?) async -> Int? {
            if let wait = await throttle.begin(principal: name, address: address) { return wait }
            await throttle.finish(principal: name, address: address, succeeded: false)
            return nil
        }
        #expect(await fail("alice", from: "192.0.2.7") == nil)
        #expect(await fail("bob", from: "192.0.2.7") == nil)
        #expect(await throttle.begin(principal: "carol", address: "192.0.2.7") == 1, "the address is throttled for any name")
        #expect(await throttle.begin(principal: "carol", address: "192.0.2.8") == nil, "another address is not")
        await throttle.finish(principal: "carol", address: "192.0.2.8", succeeded: true)

        var waits: [Int] = []
        for _ in 0..<6 {
            #expect(await fail("dave", from: nil) == nil)
            waits.append(await throttle.begin(principal: "dave", address: nil) ?? 0)
            time.advance(by: .seconds(waits.last ?? 0))
            if waits.last == 0 { await throttle.finish(principal: "dave", address: nil, succeeded: nil) }
        }
        #expect(waits == [0, 1, 2, 4, 8, 8])
        time.advance(by: .seconds(601))
        #expect(await fail("dave", from: nil) == nil, "old failures are forgotten")
        #expect(await throttle.begin(principal: "dave", address: nil) == nil)
        await throttle.finish(principal: "DAVE", address: nil, succeeded: true)
        #expect(await fail("dave", from: nil) == nil, "a success clears the count")
    }

    @Test("guesses sprayed across names from one address stay limited when a valid sign-in comes between them")
    func validSignInDoesNotResetTheAddress() async throws {
        let time = ManualTime()
        let throttle = SignInThrottle(policy: SignInThrottlePolicy(freeFailures: 3), now: { time.now })
        try await VeeamAPIHarness.with(signInThrottle: throttle, testing: .live) { api in
            func attempt(_ name: String, _ password: String) async throws -> HTTPResponse.Status {
                try await api.requestToken([("grant_type", "password"), ("username", name), ("password", password)]).status
            }
            #expect(try await attempt("alice", "guess 1") == .badRequest)
            #expect(try await attempt("bob", "guess 2") == .badRequest)
            #expect(try await attempt(VeeamAPIHarness.username, VeeamAPIHarness.password) == .ok, "the attacker's own account")
            #expect(try await attempt("carol", "guess 3") == .badRequest, "the third failure from the address")
            let refused = try await api.requestToken([("grant_type", "password"), ("username", "dave"), ("password", "guess 4")])
            try api.expectRefusal(refused, .tooManyRequests, .post, "/v6/token", mentioning: "Too many failed sign-ins")
            #expect(refused.headers[.retryAfter] == "1", "the address must wait though a sign-in succeeded between guesses")
            time.advance(by: .seconds(1))
            #expect(try await attempt("dave", "guess 4") == .badRequest, "once the wait has passed, guesses are heard again")
        }
    }

    @Test("a burst of parallel guesses gets no more tries than the free failures: attempts in flight count")
    func parallelAttemptsCount() async throws {
        let time = ManualTime()
        let throttle = SignInThrottle(policy: SignInThrottlePolicy(freeFailures: 3), now: { time.now })
        var admitted = 0
        for _ in 0..<20 where await throttle.begin(principal: "admin", address: "203.0.113.9") == nil { admitted += 1 }
        #expect(admitted == 3, "only the free failures' worth of guesses is let through at once")
        #expect(await throttle.begin(principal: "someone-else", address: "203.0.113.9") != nil, "nor from the address")
        for _ in 0..<admitted { await throttle.finish(principal: "admin", address: "203.0.113.9", succeeded: false) }
        #expect(await throttle.begin(principal: "admin", address: nil) == 1, "three failures: wait a second")
    }

    @Test("reads answer while a storm of wrong sign-ins keeps the hashing pool busy")
    func readsWhileHashingIsSaturated() async throws {
        let configuration = ServerConfiguration(
            port: 0, hashingThreads: 1, hashingQueueLimit: 64, signInThrottle: SignInThrottlePolicy(freeFailures: 1000))
        try await VeeamAPIHarness.with(hasher: SecretHasher(costLog2: 14), configuration: configuration) { api in
            let token = try await api.signIn()
            let storm = 40
            let answered = SharedCount()
            try await withThrowingTaskGroup(of: HTTPResponse.Status?.self) { group in
                for index in 0..<storm {
                    group.addTask {
                        let response = try await api.requestToken(
                            [("grant_type", "password"), ("username", "intruder-\(index)"), ("password", "guess")])
                        answered.increment()
                        return response.status
                    }
                }
                group.addTask {
                    // Let the storm fill the pool's queue, then read while it drains.
                    try await Task.sleep(for: .milliseconds(300))
                    // Reads answer during the storm. That hashing never holds the threads that serve them is proved
                    // deterministically below (a verification that blocks); their latency is bench/login-storm's.
                    for _ in 0..<5 {
                        let response = try await api.send(.get, "/v6/Jobs", token: token)
                        #expect(response.status == .ok)
                    }
                    return nil
                }
                var statuses: [HTTPResponse.Status] = []
                for try await status in group { if let status { statuses.append(status) } }
                #expect(statuses.count == storm)
                #expect(statuses.allSatisfy { $0 == .badRequest }, "every wrong sign-in is refused as such: \(Set(statuses))")
            }
        }
    }

    @Test("beyond the hashing queue a sign-in is refused at once with 503 and Retry-After, never queued without bound")
    func hashingQueueIsBounded() async throws {
        let configuration = ServerConfiguration(
            port: 0, hashingThreads: 1, hashingQueueLimit: 1, signInThrottle: SignInThrottlePolicy(freeFailures: 1000))
        try await VeeamAPIHarness.with(hasher: SecretHasher(costLog2: 14), configuration: configuration) { api in
            let responses = try await withThrowingTaskGroup(of: TestResponse.self) { group in
                for index in 0..<8 {
                    group.addTask {
                        try await api.requestToken([("grant_type", "password"), ("username", "intruder-\(index)"), ("password", "guess")])
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            let busy = responses.filter { $0.status == .serviceUnavailable }
            #expect(!busy.isEmpty, "\(responses.map(\.status))")
            #expect(busy.allSatisfy { $0.headers[.retryAfter] == "1" })
            #expect(responses.allSatisfy { [.badRequest, .serviceUnavailable].contains($0.status) })
            try api.expectRefusal(try #require(busy.first), .serviceUnavailable, .post, "/v6/token", mentioning: "busy")
        }
    }

    @Test(
        "verifications blocked on every hashing thread leave the cooperative threads free: other work runs meanwhile",
        .timeLimit(.minutes(1)))
    func blockedHashingLeavesTheExecutorFree() async throws {
        let blocking = BlockingVerifier()
        let pool = PasswordHashingPool(hasher: blocking, threadCount: 1, queueLimit: 16)
        // More verifications than the machine has cores: inline, they would hold every cooperative thread.
        let verifications = Task {
            await withTaskGroup(of: Void.self) { group in
                for _ in 0..<8 { group.addTask { _ = try? await pool.verify("guess", against: "stored") } }
            }
        }
        while blocking.entered == 0 { try await Task.sleep(for: .milliseconds(5)) }
        // The pool's only thread is held inside a verification; the rest wait for it, not on the executor.
        let done = await withTaskGroup(of: Int.self) { group in
            for index in 0..<200 { group.addTask { await Task.yield(); return index } }
            return await group.reduce(0) { count, _ in count + 1 }
        }
        #expect(done == 200)
        #expect(blocking.entered == 1, "one thread hashes at a time")
        blocking.release()
        await verifications.value
        #expect(blocking.entered == 8)
        try await pool.shutdown()
    }
}

/// A verifier that holds every verification until `release()`, counting those that started.
private final class BlockingVerifier: SecretVerifying {
    private let gate = DispatchSemaphore(value: 0)
    private let count = Mutex(0)
    private let released = Mutex(false)

    var entered: Int { count.withLock { $0 } }

    func hash(_ secret: String) throws -> String { "blocked" }

    func verify(_ secret: String, against stored: String) -> Bool {
        count.withLock { $0 += 1 }
        // Runs on the pool's own thread (NIOThreadPool), where blocking is what the pool is for.
        if !released.withLock({ $0 }) { gate.wait() }
        return false
    }

    func release() {
        released.withLock { $0 = true }
        for _ in 0..<16 { gate.signal() }
    }
}
