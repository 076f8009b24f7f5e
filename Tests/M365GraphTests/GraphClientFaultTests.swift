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

    @Test("a file edited between a broken body and its resumption is never spliced: If-Range brings the new content, the stream says it changed")
    func neverSplicesAnEditedFile() async throws {
        var plan = FaultPlan(seed: 12)
        plan.connectionResetShare = 0.5
        plan.contentChangedAfterCutShare = 1
        try await GraphClientHarness.with(retryPolicy: Self.patient, configure: { $0.faults = plan }) { h in
            let drive = try #require(await h.tenant.drives().first)
            let files = await h.tenant.allFiles(driveID: drive.id).filter { $0.size >= 1024 }
            var changedWhileRead: Set<String> = []
            for file in files {
                let listed = try await h.client.item(driveID: drive.id, itemID: file.id)
                let before = try #require(await h.tenant.content(driveID: drive.id, itemID: file.id))
                var bytes: [UInt8] = []
                do {
                    for try await buffer in try await h.client.currentContent(driveID: drive.id, listed: listed) {
                        bytes += buffer.readableBytesView
                    }
                    // Never cut, or cut before its first byte: all of one content, whichever the file holds now.
                    #expect(bytes == (await h.tenant.content(driveID: drive.id, itemID: file.id)), "bytes of \(file.name)")
                } catch GraphError.contentChanged {
                    changedWhileRead.insert(file.id)
                    #expect(bytes.count < before.count && bytes == Array(before.prefix(bytes.count)), "only the old head of \(file.name)")
                    let after = try #require(await h.tenant.content(driveID: drive.id, itemID: file.id))
                    #expect(after != before && after.count == before.count, "\(file.name) was edited to as many bytes")
                }
            }
            #expect(!changedWhileRead.isEmpty)
            let resumed = await h.simulator.requestLog.entries().filter {
                $0.contentRequest?.kind == .downloadURL && $0.range != nil && changedWhileRead.contains($0.contentRequest?.itemID ?? "")
            }
            #expect(Set(resumed.compactMap(\.contentRequest?.itemID)) == changedWhileRead)
            #expect(resumed.allSatisfy { $0.status == 200 }, "If-Range naming the old content asks for all of the new")
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
        // A window long enough that three calls land in it however loaded the machine is (4 s was not, on a 2-core
        // CI machine running every suite at once).
        plan.requestBudget = FaultPlan.RequestBudget(requests: 2, window: .seconds(20))
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

    /// A fifth of writes answered 5xx, two fifths whose answer is lost (half of those after the write took effect).
    static func writeFaults(seed: UInt64) -> FaultPlan {
        var plan = FaultPlan(seed: seed)
        plan.uploadServerErrorShare = 0.2
        plan.droppedUploadShare = 0.4
        return plan
    }

    @Test("folder creations are retried after dropped answers and 5xx; under fail, a retry that meets its own folder returns it, and no second folder appears")
    func folderCreationsSurviveFaults() async throws {
        try await GraphClientHarness.with(retryPolicy: Self.patient, configure: { $0.faults = Self.writeFaults(seed: 9) }) { h in
            let drive = try #require(await h.tenant.drives().first)
            let names = (0..<16).map { "Restored folder \($0)" }
            for (index, name) in names.enumerated() {
                let conflict: M365Graph.ConflictBehavior = index.isMultiple(of: 2) ? .fail : .replace
                let folder = try await h.client.createFolder(driveID: drive.id, parentID: drive.rootItemID, name: name, conflict: conflict)
                #expect(folder.isFolder && folder.name == name)
                #expect(await h.tenant.item(driveID: drive.id, path: name)?.id == folder.id)
            }
            let children = await h.tenant.children(driveID: drive.id, folderID: drive.rootItemID).map(\.name)
            #expect(!children.contains { $0.hasPrefix("Restored folder") && !names.contains($0) }, "no second folder under another name")
            let log = await h.simulator.requestLog.entries().filter { $0.method == "POST" && $0.path.hasSuffix("/children") }
            let recognised = zip(log, log.dropFirst()).contains { earlier, retry in
                earlier.fault == .droppedUpload(stored: true) && retry.status == 409
            }
            #expect(recognised, "a fail creation whose answer was lost met its own folder on its retry")
            #expect(log.contains { $0.fault == .droppedUpload(stored: false) })
            #expect(log.contains { if case .serverError = $0.fault { true } else { false } })
        }
    }

    @Test("small uploads are retried after dropped answers and 5xx; under fail, a retry that meets its own committed file returns it")
    func smallUploadsSurviveFaults() async throws {
        try await GraphClientHarness.with(retryPolicy: Self.patient, configure: { $0.faults = Self.writeFaults(seed: 6) }) { h in
            let drive = try #require(await h.tenant.drives().first)
            let names = (0..<12).map { "restored-\($0).bin" }
            for (index, name) in names.enumerated() {
                let bytes = GraphClientUploadTests.bytes(1000 + index, seed: UInt8(index))
                let conflict: M365Graph.ConflictBehavior = index.isMultiple(of: 2) ? .fail : .replace
                let item = try await h.client.uploadSmallFile(
                    driveID: drive.id, parentID: drive.rootItemID, name: name, content: ByteBuffer(bytes: bytes), conflict: conflict)
                #expect(item.name == name)
                #expect(await h.tenant.content(driveID: drive.id, itemID: item.id) == bytes, "\(name)")
            }
            let children = await h.tenant.children(driveID: drive.id, folderID: drive.rootItemID).map(\.name)
            #expect(Set(children).isSuperset(of: names))
            #expect(!children.contains { $0.hasPrefix("restored-") && !names.contains($0) }, "no second copy under another name")
            // A fail upload whose answer was lost after it committed met 409 on its retry and was recognised.
            let log = await h.simulator.requestLog.entries().filter { $0.method == "PUT" }
            let recognised = zip(log, log.dropFirst()).contains { earlier, retry in
                earlier.fault == .droppedUpload(stored: true) && retry.path == earlier.path && retry.status == 409
            }
            #expect(recognised)
            #expect(log.contains { $0.fault == .droppedUpload(stored: false) })
            #expect(log.contains { if case .serverError = $0.fault { true } else { false } })
        }
    }

    @Test("upload sessions are opened through 5xx, and a session tells where to resume until it expires")
    func uploadSessionStatus() async throws {
        var plan = FaultPlan(seed: 7)
        plan.uploadServerErrorShare = 0.5
        plan.expiredUploadSessionShare = 1
        plan.uploadSessionExpiresAfterFragments = 1
        try await GraphClientHarness.with(retryPolicy: Self.patient, configure: { $0.faults = plan }) { h in
            let drive = try #require(await h.tenant.drives().first)
            var sessions: [UploadSession] = []
            for index in 0..<4 {
                sessions.append(
                    try await h.client.createUploadSession(
                        driveID: drive.id, parentID: drive.rootItemID, name: "big-\(index).bin", conflict: .replace))
            }
            let opened = await h.simulator.requestLog.entries().filter { $0.path.hasSuffix("/createUploadSession") }
            #expect(opened.filter { $0.status == 200 }.count == 4)
            #expect(opened.contains { $0.status >= 500 })

            let session = sessions[0]
            let bytes = GraphClientUploadTests.bytes(3 * UploadSession.fragmentQuantum, seed: 9)
            #expect(try await h.client.uploadSessionStatus(session).firstExpectedOffset == 0)
            var result: UploadFragmentResult?
            for _ in 0..<10 where result == nil {
                // Fragments may meet a 5xx (sent once, never retried by the client): ask the session and go on.
                let offset = try await h.client.uploadSessionStatus(session).firstExpectedOffset ?? 0
                result = try? await h.client.uploadFragment(
                    session, offset: offset, totalSize: Int64(bytes.count),
                    content: ByteBuffer(bytes: bytes[Int(offset)..<Int(offset) + UploadSession.fragmentQuantum]))
            }
            guard case .incomplete(let ranges) = try #require(result) else {
                Issue.record("one fragment of three completed the file")
                return
            }
            #expect(ranges == ["\(UploadSession.fragmentQuantum)-"])
            let expired = await #expect(throws: GraphError.self) { try await h.client.uploadSessionStatus(session) }
            #expect(expired?.isNotFound == true, "the session expired after its first fragment: \(String(describing: expired))")
            try await h.client.cancelUploadSession(session)
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
