import Foundation
import M365Graph
import M365Simulator
import NIOCore
import Testing

@Suite("GraphClient under the faults of a busy tenant")
struct GraphClientFaultTests {
    /// Enough attempts that a seeded share of faults never exhausts them, with a backoff too short to slow the tests.
    static let patient = GraphClient.RetryPolicy(maxAttempts: 8, initialBackoff: .milliseconds(1))

    /// Downloads every file of the first drive and checks each against the simulator's bytes.
    private func expectEveryFileDownloads(_ h: GraphClientHarness) async throws -> Int {
        let drive = try #require(await h.tenant.drives().first)
        let files = await h.tenant.allFiles(driveID: drive.id)
        for file in files {
            let content = try await h.client.content(driveID: drive.id, itemID: file.id, versionID: nil)
            var bytes: [UInt8] = []
            for try await buffer in content { bytes += buffer.readableBytesView }
            #expect(bytes == (await h.tenant.content(driveID: drive.id, itemID: file.id)), "bytes of \(file.name)")
        }
        return files.count
    }

    @Test("a download whose connection breaks resumes with Range where it broke and yields the file exactly once")
    func resumesAfterReset() async throws {
        var plan = FaultPlan(seed: 8)
        plan.connectionResetShare = 0.6
        try await GraphClientHarness.with(retryPolicy: Self.patient, configure: { $0.faults = plan }) { h in
            let files = try await expectEveryFileDownloads(h)
            #expect(files > 0)
            let downloads = await h.simulator.requestLog.entries().filter { $0.contentRequest?.kind == .downloadURL }
            let resets = downloads.filter { if case .connectionReset = $0.fault { true } else { false } }
            let resumed = downloads.filter { $0.range != nil }
            #expect(!resets.isEmpty)
            #expect(resumed.count >= resets.filter { if case .connectionReset(let sent) = $0.fault { sent > 0 } else { false } }.count)
            #expect(resumed.allSatisfy { $0.status == 206 && $0.range!.hasPrefix("bytes=") && $0.range!.hasSuffix("-") })
        }
    }

    @Test("an expired download URL is renewed through /content and the download resumes from the bytes received")
    func renewsExpiredURL() async throws {
        var plan = FaultPlan(seed: 9)
        plan.expiredDownloadURLShare = 0.3
        plan.connectionResetShare = 0.3
        try await GraphClientHarness.with(retryPolicy: Self.patient, configure: { $0.faults = plan }) { h in
            let files = try await expectEveryFileDownloads(h)
            let entries = await h.simulator.requestLog.entries()
            let expired = entries.filter { $0.fault == .expiredDownloadURL }
            let contentCalls = entries.filter { $0.contentRequest?.kind == .graphContent }
            #expect(!expired.isEmpty)
            #expect(expired.allSatisfy { $0.status == 401 })
            #expect(contentCalls.count == files + expired.count, "one /content per file and one per expired URL")
        }
    }

    @Test("server errors are retried with backoff until Graph answers")
    func retriesServerErrors() async throws {
        var plan = FaultPlan(seed: 4)
        plan.serverErrorShare = 0.3
        try await GraphClientHarness.with(retryPolicy: Self.patient, configure: { $0.faults = plan }) { h in
            let users = try await h.client.users()
            #expect(users.count == (await h.tenant.users().count))
            _ = try await expectEveryFileDownloads(h)
            let errors = await h.simulator.requestLog.entries().filter { $0.status >= 500 }
            #expect(!errors.isEmpty)
            #expect(errors.allSatisfy { if case .serverError = $0.fault { true } else { false } })
        }
    }

    @Test("a throttled tenant is paused for Retry-After, then the calls go through")
    func pausesOnThrottling() async throws {
        var plan = FaultPlan(seed: 5)
        // A window long enough that three calls land in it however loaded the machine is.
        plan.requestBudget = FaultPlan.RequestBudget(requests: 2, window: .seconds(4))
        try await GraphClientHarness.with(retryPolicy: Self.patient, configure: { $0.faults = plan }) { h in
            let start = ContinuousClock.now
            for _ in 0..<3 { _ = try await h.client.users() }
            #expect(ContinuousClock.now - start >= .milliseconds(500))
            let entries = await h.simulator.requestLog.entries()
            let throttled = entries.filter { $0.status == 429 }
            #expect(!throttled.isEmpty)
            #expect(entries.filter { $0.path == "/v1.0/users" && $0.status == 200 }.count == 3)
        }
    }

    @Test("a tenant that throttles longer than the client accepts fails the call as throttled")
    func givesUpOnLongRetryAfter() async throws {
        var plan = FaultPlan(seed: 5)
        plan.throttleShare = 1
        plan.retryAfterSeconds = 3600
        _ = try await GraphClientHarness.with(retryPolicy: Self.patient, configure: { $0.faults = plan }) { h in
            await #expect(throws: GraphError.throttled(retryAfterSeconds: 3600)) {
                _ = try await h.client.users()
            }
        }
    }
}
