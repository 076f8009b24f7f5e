import Foundation
import M365Simulator
import NIOHTTP1
import Testing

@Suite("JSON batching: $batch answers each request as if it came alone")
struct BatchTests {
    @Test("a batch answers each GET with its own status and body; an unknown item is its entry's 404, a write its entry's 400")
    func answersEachRequest() async throws {
        try await SimulatorHarness.with { h in
            let tenant = h.simulator.tenant
            let drive = try #require(await tenant.drives().first)
            let files = Array(await tenant.allFiles(driveID: drive.id).prefix(3))
            try #require(files.count == 3)
            var requests: [[String: Any]] = files.enumerated().map { index, file in
                ["id": "v\(index)", "method": "GET", "url": "/drives/\(drive.id)/items/\(file.id)/versions"]
            }
            requests.append(["id": "gone", "method": "GET", "url": "drives/\(drive.id)/items/nope/versions"])
            requests.append(["id": "write", "method": "DELETE", "url": "/drives/\(drive.id)/items/\(files[0].id)"])
            await h.simulator.requestLog.reset()
            let reply = try await h.send(.POST, "/$batch", json: ["requests": requests])
            #expect(reply.status == 200)
            let entries = try #require(reply.json["responses"] as? [[String: Any]])
            let byID = Dictionary(uniqueKeysWithValues: entries.map { ($0["id"] as? String ?? "", $0) })
            #expect(byID.count == 5)
            for (index, file) in files.enumerated() {
                let entry = try #require(byID["v\(index)"])
                #expect(entry["status"] as? Int == 200)
                let alone = try await h.get("/drives/\(drive.id)/items/\(file.id)/versions")
                let batched = (entry["body"] as? [String: Any])?["value"] as? [[String: Any]]
                #expect(batched?.compactMap { $0["id"] as? String } == (alone.json["value"] as? [[String: Any]])?.compactMap { $0["id"] as? String })
                #expect(batched?.count == file.versionCount)
            }
            #expect(byID["gone"]?["status"] as? Int == 404)
            #expect(((byID["gone"]?["body"] as? [String: Any])?["error"] as? [String: Any])?["code"] as? String == "itemNotFound")
            #expect(byID["write"]?["status"] as? Int == 400)
            #expect(await tenant.item(driveID: drive.id, itemID: files[0].id) != nil, "a batched write is refused, not done")
            // The batch and each request it carried are logged.
            let log = await h.simulator.requestLog.entries()
            #expect(log.filter { $0.path == "/v1.0/$batch" }.count == 1)
            #expect(log.filter { $0.path.hasSuffix("/versions") }.count == 4 + files.count)
        }
    }

    @Test("a batch that is empty, holds more than 20 requests, repeats an id or lacks a token is refused whole")
    func refusedBatches() async throws {
        try await SimulatorHarness.with { h in
            let one: [String: Any] = ["id": "1", "method": "GET", "url": "/users"]
            let many = (0..<21).map { ["id": "\($0)", "method": "GET", "url": "/users"] as [String: Any] }
            for requests in [[], many, [one, one]] {
                let reply = try await h.send(.POST, "/$batch", json: ["requests": requests])
                #expect(reply.status == 400)
                #expect(errorCode(reply) == "invalidRequest")
            }
            let unauthorized = try await h.send(.POST, "/$batch", json: ["requests": [one]], authorized: false)
            #expect(unauthorized.status == 401)
        }
    }

    @Test("under a budget each batched request is charged on its own, the batch reports their sum, and over-budget ones answer 429")
    func chargedPerRequest() async throws {
        var plan = FaultPlan(seed: 3)
        plan.resourceUnitBudget = FaultPlan.ResourceUnitBudget(units: 12, window: .seconds(60))
        try await SimulatorHarness.with(configure: { $0.faults = plan }) { h in
            let drive = try #require(await h.simulator.tenant.drives().first)
            let files = Array(await h.simulator.tenant.allFiles(driveID: drive.id).prefix(8))
            try #require(files.count == 8)
            let batch = { (ids: Range<Int>) in
                ids.map { ["id": "\($0)", "method": "GET", "url": "/drives/\(drive.id)/items/\(files[$0].id)/versions"] as [String: Any] }
            }
            let first = try await h.send(.POST, "/$batch", json: ["requests": batch(0..<8)])
            #expect(first.status == 200)
            #expect(first.headers.first(name: "x-ms-resource-unit") == "8")
            let second = try await h.send(.POST, "/$batch", json: ["requests": batch(0..<8)])
            let entries = try #require(second.json["responses"] as? [[String: Any]])
            let statuses = entries.compactMap { $0["status"] as? Int }
            #expect(statuses.filter { $0 == 200 }.count == 4, "12 RU: 8 spent by the first batch, 4 left: \(statuses)")
            let throttled = entries.filter { $0["status"] as? Int == 429 }
            #expect(throttled.count == 4)
            #expect(throttled.allSatisfy { (($0["headers"] as? [String: String])?["Retry-After"]).flatMap(Int.init) ?? 0 > 0 })
        }
    }
}
