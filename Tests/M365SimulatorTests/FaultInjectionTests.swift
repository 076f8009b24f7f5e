import AsyncHTTPClient
import M365Simulator
import NIOCore
import NIOHTTP1
import Testing

@Suite("Fault injection: the transient failures a busy tenant inflicts, reproducible from a seed")
struct FaultInjectionTests {
    @Test("server errors answer in Graph's error shape and are logged with their status", arguments: [500, 502, 503, 504])
    func serverErrors(status: Int) async throws {
        var plan = FaultPlan(seed: 3)
        plan.serverErrorShare = 1
        plan.serverErrorStatuses = [status]
        try await SimulatorHarness.with(configure: { $0.faults = plan }) { h in
            let reply = try await h.get("/users")
            #expect(reply.status == status)
            #expect(errorCode(reply) != nil)
            #expect(reply.headers.first(name: "Retry-After") == nil)
            let entry = try #require(await h.simulator.requestLog.entries().last)
            #expect(entry.status == status)
            #expect(entry.fault == .serverError(status: status))
        }
    }

    @Test("throttling by share answers 429 activityLimitReached with Retry-After in seconds")
    func throttledByShare() async throws {
        var plan = FaultPlan(seed: 3)
        plan.throttleShare = 1
        plan.retryAfterSeconds = 7
        try await SimulatorHarness.with(configure: { $0.faults = plan }) { h in
            let reply = try await h.get("/users")
            #expect(reply.status == 429)
            #expect(errorCode(reply) == "activityLimitReached")
            #expect(reply.headers.first(name: "Retry-After") == "7")
            #expect(await h.simulator.requestLog.entries().last?.fault == .throttled(retryAfterSeconds: 7))
        }
    }

    @Test("a request budget throttles every request beyond it until the window ends")
    func requestBudget() async throws {
        var plan = FaultPlan(seed: 3)
        plan.requestBudget = FaultPlan.RequestBudget(requests: 3, window: .seconds(30))
        try await SimulatorHarness.with(configure: { $0.faults = plan }) { h in
            var statuses: [Int] = []
            for _ in 0..<5 { statuses.append(try await h.get("/users").status) }
            #expect(statuses == [200, 200, 200, 429, 429])
            let retryAfter = try #require(try await h.get("/users").headers.first(name: "Retry-After").flatMap(Int.init))
            #expect((1...30).contains(retryAfter))
            let tokenReply = try await SimulatorHarness.fetchToken(
                client: h.client, simulator: h.simulator, secret: h.simulator.clientSecret)
            #expect(tokenReply.status == 200, "the token endpoint is never throttled")
        }
    }

    @Test("resource units: 1 per read, 2 per delta without token and per write; over budget 429 with Retry-After; RateLimit headers from 80%; throttled calls spend too")
    func resourceUnitBudget() async throws {
        var plan = FaultPlan(seed: 3)
        // A minute-long window: the whole burst below lands in it however loaded the machine is.
        plan.resourceUnitBudget = FaultPlan.ResourceUnitBudget(units: 10, window: .seconds(60))
        try await SimulatorHarness.with(configure: { $0.faults = plan }) { h in
            let drive = try #require(await h.simulator.tenant.drives().first)
            func units(_ reply: SimulatorHarness.Reply) -> Int? { reply.headers.first(name: "x-ms-resource-unit").flatMap(Int.init) }
            func remaining(_ reply: SimulatorHarness.Reply) -> Int? { reply.headers.first(name: "RateLimit-Remaining").flatMap(Int.init) }

            let read = try await h.get("/users")
            #expect(read.status == 200 && units(read) == 1 && remaining(read) == nil)
            let fullDelta = try await h.get("/drives/\(drive.id)/root/delta")
            #expect(fullDelta.status == 200 && units(fullDelta) == 2)
            let link = try #require((fullDelta.json["@odata.deltaLink"] ?? fullDelta.json["@odata.nextLink"]) as? String)
            let tokenDelta = try await h.get(link)
            #expect(tokenDelta.status == 200 && units(tokenDelta) == 1)
            let write = try await h.send(
                .POST, "/drives/\(drive.id)/items/\(drive.rootItemID)/children", json: ["name": "Budget", "folder": [String: String]()])
            #expect(write.status == 201 && units(write) == 2)
            _ = try await h.get("/users")
            // 8 of 10 units spent: the answers start telling how much is left.
            let nearLimit = try await h.get("/users")
            #expect(nearLimit.status == 200 && remaining(nearLimit) == 2)
            #expect(nearLimit.headers.first(name: "RateLimit-Limit") == "10")
            #expect(nearLimit.headers.first(name: "RateLimit-Reset").flatMap(Int.init).map { (1...60).contains($0) } == true)
            #expect(remaining(try await h.get("/users")) == 1)
            // 9 spent: a 2-unit delta does not fit and is throttled, and spends its units anyway...
            let throttled = try await h.get("/drives/\(drive.id)/root/delta")
            #expect(throttled.status == 429 && errorCode(throttled) == "activityLimitReached" && remaining(throttled) == 0)
            #expect(throttled.headers.first(name: "Retry-After").flatMap(Int.init).map { (1...60).contains($0) } == true)
            // ...so a 1-unit read that would have fit beside the first nine is throttled too.
            #expect(try await h.get("/users").status == 429)
            let token = try await SimulatorHarness.fetchToken(client: h.client, simulator: h.simulator, secret: h.simulator.clientSecret)
            #expect(token.status == 200 && units(token) == nil, "the token endpoint costs nothing")
            let throttledLog = await h.simulator.requestLog.entries().filter { $0.status == 429 }
            #expect(throttledLog.count == 2 && throttledLog.allSatisfy { if case .throttled = $0.fault { true } else { false } })
        }
    }

    @Test("a reset download announces the full length, sends part of the body and drops the connection")
    func connectionReset() async throws {
        var plan = FaultPlan(seed: 3)
        plan.connectionResetShare = 1
        try await SimulatorHarness.with(configure: { $0.faults = plan }) { h in
            let drive = try #require(await h.simulator.tenant.drives().first)
            let file = try #require(await h.simulator.tenant.allFiles(driveID: drive.id).max { $0.size < $1.size })
            let redirect = try await h.get("/drives/\(drive.id)/items/\(file.id)/content")
            #expect(redirect.status == 302)
            let location = try #require(redirect.headers.first(name: "Location"))
            let response = try await h.client.execute(HTTPClientRequest(url: location), timeout: .seconds(30))
            #expect(response.headers.first(name: "Content-Length") == String(file.size))
            #expect(response.headers.first(name: "x-simulator-cut-after") == nil)
            var received = 0
            await #expect(throws: (any Error).self) {
                for try await buffer in response.body { received += buffer.readableBytes }
            }
            let entry = try #require(await h.simulator.requestLog.entries().last)
            guard case .connectionReset(let sent) = entry.fault else {
                Issue.record("the download was not logged as reset: \(entry)")
                return
            }
            #expect(sent < file.size)
            #expect(received <= sent)
            #expect(entry.status == 200)
        }
    }

    @Test("an expired-URL fault answers like a download URL past its lifetime")
    func expiredDownloadURL() async throws {
        var plan = FaultPlan(seed: 3)
        plan.expiredDownloadURLShare = 1
        try await SimulatorHarness.with(configure: { $0.faults = plan }) { h in
            let drive = try #require(await h.simulator.tenant.drives().first)
            let file = try #require(await h.simulator.tenant.allFiles(driveID: drive.id).first)
            let redirect = try await h.get("/drives/\(drive.id)/items/\(file.id)/content")
            #expect(redirect.status == 302, "Graph's /content itself is not a download URL")
            let reply = try await h.get(try #require(redirect.headers.first(name: "Location")), authorized: false)
            #expect(reply.status == 401)
            #expect(errorCode(reply) == "unauthenticated")
            #expect(await h.simulator.requestLog.entries().last?.fault == .expiredDownloadURL)
        }
    }

    @Test("the same seed fails the same requests")
    func deterministicFromSeed() async throws {
        var plan = FaultPlan(seed: 42)
        plan.serverErrorShare = 0.3
        plan.throttleShare = 0.2
        func statuses() async throws -> [Int] {
            try await SimulatorHarness.with(configure: { $0.faults = plan }) { h in
                var statuses: [Int] = []
                for _ in 0..<40 { statuses.append(try await h.get("/users?$top=1").status) }
                return statuses
            }
        }
        let first = try await statuses()
        #expect(first == (try await statuses()))
        #expect(first.contains(429))
        #expect(first.contains { $0 >= 500 })
        #expect(first.contains(200))
    }
}
