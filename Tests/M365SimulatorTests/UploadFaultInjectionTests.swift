import AsyncHTTPClient
import M365Simulator
import NIOCore
import NIOHTTP1
import Testing

@Suite("Upload faults: expiring sessions, rejected and dropped fragments, failing uploads, reproducible from a seed")
struct UploadFaultInjectionTests {
    static let spec = TenantSpec(seed: 12, userCount: 1, teamSiteCount: 0, communicationSiteCount: 0, filesPerDrive: 2, largeFileCount: 0)
    static let quantum = 327_680

    /// Opens an upload session for `name` in the first drive's root; returns its URL.
    private func openSession(_ h: SimulatorHarness, name: String) async throws -> String {
        let drive = try #require(await h.simulator.tenant.drives().first)
        let reply = try await h.send(
            .POST, "/drives/\(drive.id)/items/\(drive.rootItemID):/\(name):/createUploadSession",
            json: ["item": ["@microsoft.graph.conflictBehavior": "replace"]])
        #expect(reply.status == 200)
        return try #require(reply.json["uploadUrl"] as? String)
    }

    /// Sends bytes `start..<end` of `bytes` to an upload URL.
    private func put(_ h: SimulatorHarness, _ url: String, _ bytes: [UInt8], from start: Int, to end: Int) async throws
        -> SimulatorHarness.Reply
    {
        try await h.send(
            .PUT, url, headers: [("Content-Range", "bytes \(start)-\(end - 1)/\(bytes.count)")], body: Array(bytes[start..<end]),
            authorized: false)
    }

    /// The first offset a session's `GET` reports in `nextExpectedRanges`.
    private func nextExpected(_ h: SimulatorHarness, _ url: String) async throws -> Int? {
        let reply = try await h.get(url, authorized: false)
        guard reply.status == 200, let ranges = reply.json["nextExpectedRanges"] as? [String] else { return nil }
        return ranges.first.flatMap { $0.split(separator: "-").first }.flatMap { Int($0) }
    }

    private static func bytes(_ count: Int) -> [UInt8] {
        (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ 3) }
    }

    @Test("an expiring session accepts its fragments, then answers 404 itemNotFound to fragments and to GET")
    func sessionExpiresMidUpload() async throws {
        var plan = FaultPlan(seed: 5)
        plan.expiredUploadSessionShare = 1
        plan.uploadSessionExpiresAfterFragments = 2
        try await SimulatorHarness.with(Self.spec, configure: { $0.faults = plan }) { h in
            let bytes = Self.bytes(4 * Self.quantum)
            let url = try await openSession(h, name: "big.bin")
            #expect(try await put(h, url, bytes, from: 0, to: Self.quantum).status == 202)
            #expect(try await nextExpected(h, url) == Self.quantum)
            #expect(try await put(h, url, bytes, from: Self.quantum, to: 2 * Self.quantum).status == 202)
            let refused = try await put(h, url, bytes, from: 2 * Self.quantum, to: 3 * Self.quantum)
            #expect(refused.status == 404)
            #expect(errorCode(refused) == "itemNotFound")
            #expect(try await h.get(url, authorized: false).status == 404)
            let log = await h.simulator.requestLog.entries().filter { $0.path.hasPrefix("/upload/") }
            #expect(log.map(\.fault) == [nil, nil, nil, .expiredUploadSession, .expiredUploadSession])
            let drive = try #require(await h.simulator.tenant.drives().first)
            #expect(await h.simulator.tenant.item(driveID: drive.id, path: "big.bin") == nil, "nothing was committed")
        }
    }

    @Test("a rejected fragment is answered 416 invalidRange and not stored; the session's GET still expects it")
    func rejectedFragment() async throws {
        var plan = FaultPlan(seed: 5)
        plan.rejectedFragmentShare = 1
        try await SimulatorHarness.with(Self.spec, configure: { $0.faults = plan }) { h in
            let bytes = Self.bytes(2 * Self.quantum)
            let url = try await openSession(h, name: "big.bin")
            let reply = try await put(h, url, bytes, from: 0, to: Self.quantum)
            #expect(reply.status == 416)
            #expect(errorCode(reply) == "invalidRange")
            #expect(try await nextExpected(h, url) == 0)
            #expect(await h.simulator.requestLog.entries().contains { $0.fault == .rejectedFragment && $0.status == 416 })
        }
    }

    @Test("a dropped upload loses its answer; GET tells whether its bytes were kept, and a kept last fragment commits the file")
    func droppedFragments() async throws {
        var plan = FaultPlan(seed: 5)
        plan.droppedUploadShare = 1
        try await SimulatorHarness.with(Self.spec, configure: { $0.faults = plan }) { h in
            let bytes = Self.bytes(6 * Self.quantum + 100)
            let url = try await openSession(h, name: "big.bin")
            var offset = 0
            var kinds: [Bool] = []
            // Every PUT drops; the session's GET is the only way to know where to go on.
            while offset < bytes.count, kinds.count < 40 {
                let end = min(bytes.count, offset + Self.quantum)
                await #expect(throws: (any Error).self) { try await put(h, url, bytes, from: offset, to: end) }
                guard case .droppedUpload(let stored) = try #require(await h.simulator.requestLog.entries().last?.fault) else {
                    Issue.record("the PUT was not logged as dropped")
                    return
                }
                kinds.append(stored)
                if let next = try await nextExpected(h, url) {
                    #expect(next == (stored ? end : offset))
                    offset = next
                } else {
                    #expect(stored && end == bytes.count, "only a stored last fragment ends the session")
                    offset = end
                }
            }
            #expect(offset == bytes.count)
            #expect(kinds.contains(true) && kinds.contains(false), "both kinds of drop happen: \(kinds)")
            let drive = try #require(await h.simulator.tenant.drives().first)
            let file = try #require(await h.simulator.tenant.item(driveID: drive.id, path: "big.bin"))
            #expect(await h.simulator.tenant.content(driveID: drive.id, itemID: file.id) == bytes)
        }
    }

    @Test("upload server errors refuse simple uploads and new sessions before acting")
    func uploadServerErrors() async throws {
        var plan = FaultPlan(seed: 5)
        plan.uploadServerErrorShare = 1
        plan.serverErrorStatuses = [503]
        try await SimulatorHarness.with(Self.spec, configure: { $0.faults = plan }) { h in
            let drive = try #require(await h.simulator.tenant.drives().first)
            let simple = try await h.send(.PUT, "/drives/\(drive.id)/items/\(drive.rootItemID):/small.txt:/content", body: Array("hello".utf8))
            #expect(simple.status == 503)
            let session = try await h.send(
                .POST, "/drives/\(drive.id)/items/\(drive.rootItemID):/big.bin:/createUploadSession", json: ["item": [String: String]()])
            #expect(session.status == 503)
            #expect(await h.simulator.tenant.item(driveID: drive.id, path: "small.txt") == nil)
            let faults = await h.simulator.requestLog.entries().filter { $0.path.hasPrefix("/v1.0/") }.map(\.fault)
            #expect(faults == [.serverError(status: 503), .serverError(status: 503)])
            #expect(try await h.get("/users").status == 200, "reads are not faulted by upload shares")
        }
    }

    @Test("upload faults follow each request's identity, not the order concurrent uploads arrive in")
    func independentOfArrivalOrder() async throws {
        var plan = FaultPlan(seed: 77)
        plan.uploadServerErrorShare = 0.5
        let names = (0..<12).map { "file-\($0).txt" }
        func statuses(_ order: [String]) async throws -> [String: Int] {
            try await SimulatorHarness.with(Self.spec, configure: { $0.faults = plan }) { h in
                let drive = try #require(await h.simulator.tenant.drives().first)
                var statuses: [String: Int] = [:]
                for name in order {
                    statuses[name] = try await h.send(
                        .PUT, "/drives/\(drive.id)/items/\(drive.rootItemID):/\(name):/content", body: Array(name.utf8)
                    ).status
                }
                return statuses
            }
        }
        let forward = try await statuses(names)
        #expect(forward == (try await statuses(names.reversed())))
        #expect(forward.values.contains(201) && forward.values.contains { $0 >= 500 }, "some uploads fail, others go through: \(forward)")
    }
}
