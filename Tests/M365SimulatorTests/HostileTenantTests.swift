import AsyncHTTPClient
import Foundation
import M365Simulator
import NIOCore
import NIOHTTP1
import Testing

/// The harsher faults of a tenant under load: budgets answered with 503, an egress budget, broken and slow bodies,
/// files changed under the backup, stale delta links, repeated delta items and files the service refuses.
@Suite("Hostile tenant: budgets, slow and broken bodies, changes under the backup, resync, refusals")
struct HostileTenantTests {
    @Test("over budget, the plan's share of answers is 503 serviceNotAvailable with Retry-After instead of 429")
    func overBudgetAnswers503() async throws {
        var plan = FaultPlan(seed: 5)
        plan.requestBudget = FaultPlan.RequestBudget(requests: 1, window: .seconds(60))
        plan.overBudgetServiceUnavailableShare = 0.5
        try await SimulatorHarness.with(configure: { $0.faults = plan }) { h in
            var replies: [SimulatorHarness.Reply] = []
            for _ in 0..<20 { replies.append(try await h.get("/users")) }
            #expect(replies.first?.status == 200)
            let refused = replies.dropFirst()
            #expect(refused.allSatisfy { [429, 503].contains($0.status) && $0.headers.first(name: "Retry-After") != nil })
            #expect(refused.contains { $0.status == 503 && errorCode($0) == "serviceNotAvailable" })
            #expect(refused.contains { $0.status == 429 && errorCode($0) == "activityLimitReached" })
            let log = await h.simulator.requestLog.entries().filter { $0.status == 503 }
            #expect(log.allSatisfy { if case .serviceUnavailable = $0.fault { true } else { false } })
        }
    }

    @Test("the egress budget serves downloads until the window's bytes reach it, then answers 429 with Retry-After")
    func egressBudget() async throws {
        var plan = FaultPlan(seed: 5)
        plan.egressBudget = FaultPlan.EgressBudget(bytes: 1, window: .seconds(60))
        try await SimulatorHarness.with(configure: { $0.faults = plan }) { h in
            let drive = try #require(await h.simulator.tenant.drives().first)
            let files = await h.simulator.tenant.allFiles(driveID: drive.id).filter { $0.size > 0 }
            let first = try await h.download("/drives/\(drive.id)/items/\(files[0].id)/content")
            #expect(first.count == files[0].size, "a download is served whole even when it exceeds what is left")
            let redirect = try await h.get("/drives/\(drive.id)/items/\(files[1].id)/content")
            #expect(redirect.status == 302, "Graph calls are not counted against egress")
            let refused = try await h.get(try #require(redirect.headers.first(name: "Location")), authorized: false)
            #expect(refused.status == 429)
            let retryAfter = try #require(refused.headers.first(name: "Retry-After").flatMap(Int.init))
            #expect((1...60).contains(retryAfter))
            #expect(await h.simulator.requestLog.entries().last?.fault == .egressThrottled(status: 429, retryAfterSeconds: retryAfter))
        }
    }

    @Test("a reset before the body sends the status and headers, then closes without a byte")
    func resetBeforeBody() async throws {
        var plan = FaultPlan(seed: 5)
        plan.resetBeforeBodyShare = 1
        try await SimulatorHarness.with(configure: { $0.faults = plan }) { h in
            let drive = try #require(await h.simulator.tenant.drives().first)
            let file = try #require(await h.simulator.tenant.allFiles(driveID: drive.id).max { $0.size < $1.size })
            let location = try #require(
                try await h.get("/drives/\(drive.id)/items/\(file.id)/content").headers.first(name: "Location"))
            let response = try await h.client.execute(HTTPClientRequest(url: location), timeout: .seconds(30))
            #expect(response.status == .ok)
            var received = 0
            await #expect(throws: (any Error).self) {
                for try await buffer in response.body { received += buffer.readableBytes }
            }
            #expect(received == 0)
            #expect(await h.simulator.requestLog.entries().last?.fault == .connectionReset(afterBytes: 0))
        }
    }

    @Test("slow first bytes, slow bodies and stalled bodies still deliver every byte to a patient client")
    func slowAndStalledBodies() async throws {
        for pace in ["first byte", "body", "stall"] {
            var plan = FaultPlan(seed: 5)
            switch pace {
            case "first byte": plan.slowFirstByteShare = 1
            case "body": plan.slowBodyShare = 1
            default: plan.stalledBodyShare = 1
            }
            plan.firstByteDelay = .milliseconds(50)
            plan.bodyChunkDelay = .milliseconds(5)
            plan.stallDuration = .milliseconds(200)
            try await SimulatorHarness.with(configure: { $0.faults = plan }) { h in
                let drive = try #require(await h.simulator.tenant.drives().first)
                let file = try #require(await h.simulator.tenant.allFiles(driveID: drive.id).max { $0.size < $1.size })
                let bytes = try await h.download("/drives/\(drive.id)/items/\(file.id)/content")
                #expect(bytes == (await h.simulator.tenant.content(driveID: drive.id, itemID: file.id)), "\(pace)")
                let faults = await h.simulator.requestLog.entries().compactMap(\.fault)
                switch pace {
                case "first byte": #expect(faults == [.slowFirstByte, .slowFirstByte])
                case "body": #expect(faults == [.slowBody])
                default:
                    #expect(faults.count == 1)
                    guard case .stalledBody(let after)? = faults.first else { Issue.record("not stalled: \(faults)"); return }
                    #expect(after < file.size)
                }
            }
        }
    }

    @Test("files change under the backup: deleted (404), renamed or given new content at their first /content request")
    func changesBeforeDownload() async throws {
        for change in [ItemChange.deleted, .renamed, .contentChanged] {
            var plan = FaultPlan(seed: 5)
            plan.changesBeforeDownload = FaultPlan.ChangesBeforeDownload(
                deleted: change == .deleted ? 1 : 0, renamed: change == .renamed ? 1 : 0,
                contentChanged: change == .contentChanged ? 1 : 0)
            try await SimulatorHarness.with(configure: { $0.faults = plan }) { h in
                let tenant = h.simulator.tenant
                let drive = try #require(await tenant.drives().first)
                let file = try #require(await tenant.allFiles(driveID: drive.id).first)
                let reply = try await h.get("/drives/\(drive.id)/items/\(file.id)/content")
                #expect(await h.simulator.requestLog.entries().last?.fault == .changedBeforeDownload(change))
                let now = await tenant.item(driveID: drive.id, itemID: file.id)
                switch change {
                case .deleted:
                    #expect(reply.status == 404 && errorCode(reply) == "itemNotFound")
                    #expect(now == nil)
                case .renamed:
                    #expect(reply.status == 302)
                    #expect(now?.name != file.name && now?.cTag == file.cTag)
                case .contentChanged:
                    #expect(reply.status == 302)
                    #expect(now?.cTag != file.cTag && now?.quickXorHash != file.quickXorHash)
                    let served = try await h.get(try #require(reply.headers.first(name: "Location")), authorized: false)
                    #expect(served.body == (await tenant.content(driveID: drive.id, itemID: file.id)))
                }
                if change != .deleted {
                    _ = try await h.get("/drives/\(drive.id)/items/\(file.id)/content")
                    #expect(await h.simulator.requestLog.entries().last?.fault == nil, "a file changes once")
                }
            }
        }
    }

    @Test("a stale delta link answers 410 resyncRequired with an inner code and a Location that enumerates from scratch")
    func resyncLocation() async throws {
        try await SimulatorHarness.with { h in
            let tenant = h.simulator.tenant
            let drive = try #require(await tenant.drives().first)
            let first = try await h.fullDelta("/drives/\(drive.id)/root/delta?$top=5")
            await tenant.expireDeltaTokens(driveID: drive.id)
            let stale = try await h.get(first.deltaLink)
            #expect(stale.status == 410)
            #expect(errorCode(stale) == "resyncRequired")
            let inner = ((stale.json["error"] as? [String: Any])?["innerError"] as? [String: Any])?["code"] as? String
            #expect(inner == "resyncChangesApplyDifferences")
            let location = try #require(stale.headers.first(name: "Location"))
            #expect(location.hasPrefix("\(h.simulator.graphBaseURL)/drives/\(drive.id)/root/delta?"))
            #expect(location.hasSuffix("token=ZDow"), "a delta token that enumerates from scratch")
            let again = try await h.fullDelta(location)
            #expect(Set(again.items.map(\.id)) == Set(first.items.map(\.id)))
            let next = try await h.fullDelta(again.deltaLink)
            #expect(next.items.isEmpty, "the link the resync ends with is valid")
        }
    }

    @Test("duplicated delta items appear first in an earlier state, then last in their current state")
    func duplicateDeltaItems() async throws {
        var plan = FaultPlan(seed: 5)
        plan.duplicateDeltaItemShare = 0.5
        try await SimulatorHarness.with(.small(seed: 8), configure: { $0.faults = plan }) { h in
            let tenant = h.simulator.tenant
            let drive = try #require(await tenant.drives().first)
            let listed = try await h.fullDelta("/drives/\(drive.id)/root/delta?$top=7").items
            let byID = Dictionary(grouping: listed, by: \.id)
            let repeated = byID.filter { $0.value.count > 1 }
            #expect(!repeated.isEmpty)
            #expect(byID.values.allSatisfy { $0.count <= 2 })
            var sawEarlierState = false
            for (id, entries) in repeated {
                let current = try #require(await tenant.item(driveID: drive.id, itemID: id))
                #expect(entries.last?.quickXorHash == current.quickXorHash && entries.last?.cTag == current.cTag)
                if current.versionCount > 1 {
                    #expect(entries.first?.cTag != current.cTag)
                    sawEarlierState = true
                }
                let lastIndex = try #require(listed.lastIndex { $0.id == id })
                #expect(lastIndex >= listed.count - repeated.count, "the repeat comes after every other item")
            }
            #expect(sawEarlierState)
        }
    }

    @Test("refused files answer 403 accessDenied or 423 resourceLocked on every content request", arguments: [403, 423])
    func inaccessibleFiles(status: Int) async throws {
        var plan = FaultPlan(seed: 5)
        plan.inaccessibleFileShare = 1
        plan.inaccessibleStatuses = [status]
        try await SimulatorHarness.with(configure: { $0.faults = plan }) { h in
            let drive = try #require(await h.simulator.tenant.drives().first)
            let file = try #require(await h.simulator.tenant.allFiles(driveID: drive.id).first)
            for _ in 0..<2 {
                let reply = try await h.get("/drives/\(drive.id)/items/\(file.id)/content")
                #expect(reply.status == status)
                #expect(errorCode(reply) == (status == 403 ? "accessDenied" : "resourceLocked"))
            }
            #expect(try await h.get("/drives/\(drive.id)/items/\(file.id)").status == 200, "the item itself is readable")
        }
    }
}
