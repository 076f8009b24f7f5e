import BackupEngine
import Catalog
import Foundation
import HTTPTypes
import HummingbirdTesting
import LifeboatModel
import LifeboatTestSupport
import M365Simulator
import NIOCore
import Testing

/// Seed 002: `POST /v3/RestoreSessions/{id}/Organization/OneDrives/Action` with the OneDrives the session lists,
/// checked against the simulated tenant afterwards.
@Suite("Veeam v3 OneDrive restore action")
struct VeeamOneDriveActionTests {
    /// Veeam's document has no v3 paths; refusals are held to the equivalent v6 bulk restore's error schema.
    static let v6Equivalent = "/v6/RestoreSessions/{restoreSessionId}/Organization/OneDrives/restore"

    @Test("the seed's body (keep, skipunresolved, last, OneDrives as listed) restores a deleted file and keeps a copy beside an edited one")
    func seedBodyRestoresWithKeep() async throws {
        try await VeeamAPIHarness.with { harness in
            let tenant = harness.fixture.simulator.tenant
            let drive = try #require(await tenant.drives().first { $0.kind == .business })
            let files = await tenant.allFiles(driveID: drive.id).filter { $0.size > 0 }
            let deleted = try #require(files.first)
            let edited = try #require(files.dropFirst().first)
            let deletedBytes = try #require(await tenant.content(driveID: drive.id, itemID: deleted.id))
            let editedBytes = try #require(await tenant.content(driveID: drive.id, itemID: edited.id))
            _ = try await harness.fixture.backUp()
            try await tenant.delete(driveID: drive.id, itemID: deleted.id)
            try await tenant.updateContent(driveID: drive.id, itemID: edited.id, bytes: Array("edited after the backup".utf8))

            let token = try await harness.signIn()
            let (sessionID, oneDrives) = try await explore(harness, token: token, driveID: drive.id)
            let body = """
                {
                 "restoreToOriginalLocation" :
                 {
                  "DocumentAction" : "keep",
                  "skipunresolved" : true,
                  "OneDrives" : [\(oneDrives)],
                  "OnPremisesUsername" : "admin",
                  "OnPremisesPassword" : "12345678",
                  "DocumentVersion" : "last"
                 }
                }
                """
            let response = try await harness.send(
                .post, "/v3/RestoreSessions/\(sessionID)/Organization/OneDrives/Action", token: token,
                headers: [.contentType: "application/json"], body: body)
            #expect(response.status == .ok, "\(String(buffer: response.body))")
            #expect(response.body.readableBytes == 0)

            let parent = try #require(deleted.parentID)
            let back = try #require(await tenant.children(driveID: drive.id, folderID: parent).first { $0.name == deleted.name })
            let restoredBytes = await tenant.content(driveID: drive.id, itemID: back.id)
            #expect(restoredBytes == deletedBytes, "the deleted file is back byte for byte")
            let live = await tenant.content(driveID: drive.id, itemID: edited.id)
            #expect(live == Array("edited after the backup".utf8), "keep leaves the live file alone")
            let editedParent = try #require(edited.parentID)
            let base = String(edited.name.split(separator: ".").first ?? Substring(edited.name))
            let copies = await tenant.children(driveID: drive.id, folderID: editedParent).filter { $0.name.contains("(restored ") }
            #expect(copies.count == 1, "only the edited file conflicts with different content: \(copies.map(\.name))")
            let copy = copies.first { $0.name.hasPrefix(base + " (restored ") }
            let copyID = try #require(copy?.id, "a kept copy exists")
            let copyBytes = await tenant.content(driveID: drive.id, itemID: copyID)
            #expect(copyBytes == editedBytes, "the backed-up version sits beside it")

            // Each item is an event of the session.
            let events = try await harness.fixture.catalog.restoreSessionEvents(sessionID: try #require(UUID(uuidString: sessionID)))
            #expect(events.contains { $0.status == .success && $0.itemName == deleted.name })
            #expect(!events.contains { $0.status == .failed })
            let eventsResponse = try await harness.send(.get, "/v6/RestoreSessions/\(sessionID)/Events", token: token)
            let page = try harness.conformingBody(eventsResponse, .get, "/v6/RestoreSessions/{restoreSessionId}/Events")
            #expect(page["results"]?.arrayValue?.count == events.count)
        }
    }

    @Test("overwrite with all versions, property names and enum values in any case, rebuilds a deleted file's history")
    func overwriteAllVersions() async throws {
        try await VeeamAPIHarness.with { harness in
            let tenant = harness.fixture.simulator.tenant
            let drive = try #require(await tenant.drives().first { $0.kind == .business })
            let file = try #require(await tenant.allFiles(driveID: drive.id).first { $0.versionCount >= 2 })
            let versions = await tenant.versionContents(driveID: drive.id, itemID: file.id).map(\.bytes)
            _ = try await harness.fixture.backUp()
            try await tenant.delete(driveID: drive.id, itemID: file.id)

            let token = try await harness.signIn()
            let (sessionID, oneDrives) = try await explore(harness, token: token, driveID: drive.id)
            let body = #"{"RESTORETOORIGINALLOCATION": {"documentaction": "Overwrite", "DOCUMENTVERSION": "ALL", "oneDrives": [\#(oneDrives)]}}"#
            let response = try await harness.send(
                .post, "/v3/restoresessions/\(sessionID)/organization/onedrives/action", token: token, body: body)
            #expect(response.status == .ok, "\(String(buffer: response.body))")
            let parent = try #require(file.parentID)
            let back = try #require(await tenant.children(driveID: drive.id, folderID: parent).first { $0.name == file.name })
            let rebuilt = await tenant.versionContents(driveID: drive.id, itemID: back.id).map(\.bytes)
            #expect(rebuilt.count == versions.count)
            #expect(rebuilt == versions, "every version, oldest first")
        }
    }

    @Test(
        "the save action answers the session's OneDrive as a zip (application/octet-stream) holding the backed-up bytes",
        .enabled(if: ZipInspection.isAvailable, "python3 is needed to read the archive"))
    func saveAnswersAZip() async throws {
        try await VeeamAPIHarness.with { harness in
            let tenant = harness.fixture.simulator.tenant
            let drive = try #require(await tenant.drives().first { $0.kind == .business })
            let files = await tenant.allFiles(driveID: drive.id)
            var expected: [String: String] = [:]
            for file in files { expected[file.name, default: ""] += ZipInspection.sha256(await tenant.content(driveID: drive.id, itemID: file.id) ?? []) }
            _ = try await harness.fixture.backUp()
            try await tenant.delete(driveID: drive.id, itemID: try #require(files.first).id)

            let token = try await harness.signIn()
            let (sessionID, oneDrives) = try await explore(harness, token: token, driveID: drive.id)
            let response = try await harness.send(
                .post, "/v3/RestoreSessions/\(sessionID)/Organization/OneDrives/Action", token: token,
                body: #"{"save": {"OneDrives": [\#(oneDrives)]}}"#)
            #expect(response.status == .ok)
            #expect(response.headers[.contentType] == "application/octet-stream")
            let zip = harness.fixture.directory.appendingPathComponent("save.zip")
            try Data(response.body.readableBytesView).write(to: zip)
            let members = try await ZipInspection.members(ofArchiveAt: zip).filter { !$0.name.hasSuffix("/") }
            #expect(members.count == files.count)
            var exported: [String: String] = [:]
            for member in members { exported[String(member.name.split(separator: "/").last ?? ""), default: ""] += member.sha256 }
            #expect(exported == expected, "every backed-up file, the deleted one included, byte for byte")
            let run = try #require(try await harness.fixture.catalog.runs(kinds: [.export], states: [.succeeded]).first)
            #expect(run.counters.itemsRestored >= files.count)
        }
    }

    @Test("bad actions are 400s in Veeam's shape naming the field; unknown or empty sessions are refused")
    func refusals() async throws {
        try await VeeamAPIHarness.with { harness in
            let tenant = harness.fixture.simulator.tenant
            let drive = try #require(await tenant.drives().first { $0.kind == .business })
            _ = try await harness.fixture.backUp()
            let token = try await harness.signIn()
            let (sessionID, oneDrives) = try await explore(harness, token: token, driveID: drive.id)
            let path = "/v3/RestoreSessions/\(sessionID)/Organization/OneDrives/Action"
            let cases: [(body: String, mentioning: String)] = [
                (#"{"restoreToOriginalLocation": {"DocumentAction": "keep", "OneDrives": [}"#, "JSON"),
                (#"{"restoreToOriginalLocation": {"DocumentAction": "merge", "OneDrives": [\#(oneDrives)]}}"#, "DocumentAction"),
                (#"{"restoreToOriginalLocation": {"DocumentVersion": "first", "OneDrives": [\#(oneDrives)]}}"#, "DocumentVersion"),
                (#"{"restoreToOriginalLocation": {"SkipUnresolved": "maybe", "OneDrives": [\#(oneDrives)]}}"#, "SkipUnresolved"),
                (#"{"restoreToOriginalLocation": {"DocumentAction": "keep"}}"#, "OneDrives"),
                (#"{"restoreToOriginalLocation": {"OneDrives": []}}"#, "OneDrives"),
                (#"{"restoreToOriginalLocation": {"OneDrives": [{"name": "no id"}]}}"#, "OneDrives[0].id"),
                (#"{"restoreToOriginalLocation": {"OneDrives": [{"id": "b!not-in-this-session"}]}}"#, "OneDrives[0].id"),
                (#"{"restoreToOriginalLocation": {"OneDrives": "all"}}"#, "OneDrives"),
                (#"{"restoreTo": {"OneDrives": [\#(oneDrives)]}}"#, "restoreTo"),
                (#"{}"#, "action"),
                (#"[1, 2]"#, "object"),
            ]
            for (body, mentioning) in cases {
                let response = try await harness.send(.post, path, token: token, body: body)
                try harness.expectRefusal(response, .badRequest, .post, Self.v6Equivalent, mentioning: mentioning)
            }
            let unknown = try await harness.send(
                .post, "/v3/RestoreSessions/\(UUID().uuidString)/Organization/OneDrives/Action", token: token,
                body: #"{"restoreToOriginalLocation": {"OneDrives": [\#(oneDrives)]}}"#)
            try harness.expectRefusal(unknown, .notFound, .post, Self.v6Equivalent)

            // A session opened before the first backup holds no data to restore.
            let early = try await harness.send(
                .post, "/v6/Jobs/\(harness.fixture.job.id.wire)/explore", token: token,
                body: #"{"dateTime": "2001-01-01T00:00:00Z", "type": "Veod"}"#)
            let earlyID = try #require(try harness.conformingBody(early, .post, "/v6/Jobs/{jobId}/explore")["id"]?.stringValue)
            let empty = try await harness.send(
                .post, "/v3/RestoreSessions/\(earlyID)/Organization/OneDrives/Action", token: token,
                body: #"{"restoreToOriginalLocation": {"OneDrives": [\#(oneDrives)]}}"#)
            try harness.expectRefusal(empty, .badRequest, .post, Self.v6Equivalent, mentioning: "no backup data")

            // A stopped session cannot restore.
            _ = try await harness.send(.post, "/v6/RestoreSessions/\(sessionID)/Stop", token: token)
            let stopped = try await harness.send(
                .post, path, token: token, body: #"{"restoreToOriginalLocation": {"OneDrives": [\#(oneDrives)]}}"#)
            try harness.expectRefusal(stopped, .conflict, .post, Self.v6Equivalent, mentioning: "stopped")
        }
    }

    @Test("a restore that restores nothing (the OneDrive is gone, skipUnresolved false) answers 500 with the reason; true skips it")
    func failedRestoreIsNotReportedAsSuccess() async throws {
        try await VeeamAPIHarness.with { harness in
            let tenant = harness.fixture.simulator.tenant
            let drive = try #require(await tenant.drives().first { $0.kind == .business })
            _ = try await harness.fixture.backUp()
            let token = try await harness.signIn()
            let (sessionID, oneDrives) = try await explore(harness, token: token, driveID: drive.id)
            try await tenant.deleteDrive(driveID: drive.id)
            let path = "/v3/RestoreSessions/\(sessionID)/Organization/OneDrives/Action"
            let failed = try await harness.send(
                .post, path, token: token, body: #"{"restoreToOriginalLocation": {"SkipUnresolved": false, "OneDrives": [\#(oneDrives), \#(oneDrives)]}}"#)
            try harness.expectRefusal(failed, .internalServerError, .post, Self.v6Equivalent, mentioning: "no longer exists")
            let skipped = try await harness.send(
                .post, path, token: token, body: #"{"restoreToOriginalLocation": {"SkipUnresolved": true, "OneDrives": [\#(oneDrives)]}}"#)
            #expect(skipped.status == .ok)
            let runs = try await harness.fixture.catalog.runs(kinds: [.restore], states: [.failed, .succeeded])
            #expect(runs.count == 2, "the OneDrive listed twice made one job, not two")
        }
    }

    @Test("a restore whose files all fail (damaged chunks) answers 500 in RESTExceptionInfo, though the folders were recreated")
    func everyFileFailedIsAFailure() async throws {
        try await VeeamAPIHarness.with { harness in
            let tenant = harness.fixture.simulator.tenant
            let drive = try #require(await tenant.drives().first { $0.kind == .business })
            let files = await tenant.allFiles(driveID: drive.id).filter { $0.size > 0 }
            #expect(!files.isEmpty)
            _ = try await harness.fixture.backUp()
            for file in await tenant.allFiles(driveID: drive.id) { try await tenant.delete(driveID: drive.id, itemID: file.id) }
            #expect(try harness.fixture.damageEveryPack() > 0)

            let token = try await harness.signIn()
            let (sessionID, oneDrives) = try await explore(harness, token: token, driveID: drive.id)
            let response = try await harness.send(
                .post, "/v3/RestoreSessions/\(sessionID)/Organization/OneDrives/Action", token: token,
                body: #"{"restoreToOriginalLocation": {"DocumentAction": "overwrite", "OneDrives": [\#(oneDrives)]}}"#)
            let message = try harness.expectRefusal(response, .internalServerError, .post, Self.v6Equivalent)
            #expect(message.contains("nothing could be restored"), "\(message)")
            let run = try #require(try await harness.fixture.catalog.runs(kinds: [.restore], states: [.failed]).first)
            #expect(run.counters.itemsFailed >= files.count)
            #expect(await tenant.allFiles(driveID: drive.id).isEmpty, "no file came back")
        }
    }

    @Test("a partial restore answers 200 with no body, and Lifeboat-Restore-Result says Warning with the counts; a whole one Success")
    func partialRestoreIsDistinguishable() async throws {
        try await VeeamAPIHarness.with { harness in
            let tenant = harness.fixture.simulator.tenant
            let drives = await tenant.drives().filter { $0.kind == .business }
            try #require(drives.count >= 2)
            _ = try await harness.fixture.backUp()
            let token = try await harness.signIn()
            let (sessionID, first) = try await explore(harness, token: token, driveID: drives[0].id)
            let listing = try await harness.send(.get, "/v6/RestoreSessions/\(sessionID)/Organization/OneDrives", token: token)
            let page = try harness.conformingBody(listing, .get, "/v6/RestoreSessions/{restoreSessionId}/Organization/OneDrives")
            let second = try #require(page["results"]?.arrayValue?.first { $0["id"]?.stringValue == drives[1].id }).serialized()
            let path = "/v3/RestoreSessions/\(sessionID)/Organization/OneDrives/Action"

            let whole = try await harness.send(
                .post, path, token: token, body: #"{"restoreToOriginalLocation": {"OneDrives": [\#(first)]}}"#)
            #expect(whole.status == .ok)
            #expect(whole.body.readableBytes == 0)
            #expect(whole.headers[.init("Lifeboat-Restore-Result")!] == "Success")

            try await tenant.deleteDrive(driveID: drives[1].id)
            let partial = try await harness.send(
                .post, path, token: token, body: #"{"restoreToOriginalLocation": {"OneDrives": [\#(first), \#(second)]}}"#)
            #expect(partial.status == .ok, "\(String(buffer: partial.body))")
            #expect(partial.body.readableBytes == 0)
            #expect(partial.headers[.init("Lifeboat-Restore-Result")!] == "Warning")
            let counts = try #require(partial.headers[.init("Lifeboat-Restore-Items")!])
            #expect(counts.contains("failed=1"), "\(counts)")
            let job = try #require(partial.headers[.init("Lifeboat-Restore-Job")!])
            #expect(try await harness.fixture.catalog.run(externalID: job)?.state == .warning)
        }
    }

    @Test("v6's bulk restore (RESTBulkRestoreConfig) restores in place and answers per-OneDrive statistics in Veeam's schema")
    func v6BulkRestore() async throws {
        try await VeeamAPIHarness.with { harness in
            let tenant = harness.fixture.simulator.tenant
            let drives = await tenant.drives().filter { $0.kind == .business }
            let drive = try #require(drives.first)
            let gone = try #require(drives.dropFirst().first)
            let file = try #require(await tenant.allFiles(driveID: drive.id).first { $0.size > 0 })
            let bytes = await tenant.content(driveID: drive.id, itemID: file.id)
            _ = try await harness.fixture.backUp()
            try await tenant.delete(driveID: drive.id, itemID: file.id)
            let token = try await harness.signIn()
            let (sessionID, oneDrive) = try await explore(harness, token: token, driveID: drive.id)
            let path = "/v6/RestoreSessions/\(sessionID)/Organization/OneDrives/restore"
            let template = "/v6/RestoreSessions/{restoreSessionId}/Organization/OneDrives/restore"

            let restored = try await harness.send(
                .post, path, token: token, body: #"{"documentAction": "Keep", "skipUnresolved": false, "oneDrives": [\#(oneDrive)]}"#)
            let statistics = try harness.conformingBody(restored, .post, template)
            #expect(statistics["status"]?.stringValue == "Success")
            #expect(statistics["details"]?.arrayValue?.first?["oneDrive"]?["id"]?.stringValue == drive.id)
            let parent = try #require(file.parentID)
            let back = try #require(await tenant.children(driveID: drive.id, folderID: parent).first { $0.name == file.name })
            let backBytes = await tenant.content(driveID: drive.id, itemID: back.id)
            #expect(backBytes == bytes, "the deleted file is back byte for byte")

            try await tenant.deleteDrive(driveID: gone.id)
            let both = try await harness.send(
                .post, path, token: token,
                body: #"{"documentAction": "overwrite", "oneDrives": [\#(oneDrive), {"id": "\#(gone.id)"}]}"#)
            let mixed = try harness.conformingBody(both, .post, template)
            #expect(mixed["status"]?.stringValue == "Warning")
            let failed = mixed["details"]?.arrayValue?.first { $0["oneDrive"]?["id"]?.stringValue == gone.id }
            #expect(failed?["status"]?.stringValue == "Failed")
            #expect(failed?["details"]?["restoreIssues"]?.arrayValue?.isEmpty == false, "the items that could not be restored are listed")

            let bad = try await harness.send(.post, path, token: token, body: #"{"documentAction": "Merge", "oneDrives": [\#(oneDrive)]}"#)
            try harness.expectRefusal(bad, .badRequest, .post, template, mentioning: "DocumentAction")
        }
    }

    @Test("with three restore jobs running for the organization the action answers 429, and runs once one has ended")
    func admissionLimit() async throws {
        try await VeeamAPIHarness.with { harness in
            let tenant = harness.fixture.simulator.tenant
            let drive = try #require(await tenant.drives().first { $0.kind == .business })
            _ = try await harness.fixture.backUp()
            let token = try await harness.signIn()
            let (sessionID, oneDrives) = try await explore(harness, token: token, driveID: drive.id)
            var running: [JobRun] = []
            for index in 0..<3 {
                // Jobs another live process works on (this one, under another owner id), so they hold their slots.
                let run = JobRun(
                    externalID: "RS2026112400000000000\(index)", jobID: nil, organizationID: harness.fixture.organization.id,
                    kind: .restore, state: .running, lease: RunLease(owner: .currentProcess(), expiresAt: Date().addingTimeInterval(600)))
                try await harness.fixture.catalog.insertRun(run)
                running.append(run)
            }
            let path = "/v3/RestoreSessions/\(sessionID)/Organization/OneDrives/Action"
            let body = #"{"restoreToOriginalLocation": {"OneDrives": [\#(oneDrives)]}}"#
            let refused = try await harness.send(.post, path, token: token, body: body)
            try harness.expectRefusal(refused, .tooManyRequests, .post, Self.v6Equivalent, mentioning: "3 restore/export jobs")

            running[0].state = .succeeded
            try await harness.fixture.catalog.updateRun(running[0])
            let accepted = try await harness.send(.post, path, token: token, body: body)
            #expect(accepted.status == .ok, "\(String(buffer: accepted.body))")
        }
    }

    /// Opens a OneDrive session at the latest point and returns its id and the listing's entry for `driveID`, as JSON.
    private func explore(_ harness: VeeamAPIHarness, token: String, driveID: String) async throws -> (String, String) {
        let opened = try await harness.send(
            .post, "/v6/Jobs/\(harness.fixture.job.id.wire)/explore", token: token,
            body: #"{"dateTime": "\#(ISO8601DateFormatter().string(from: Date().addingTimeInterval(60)))", "type": "Veod", "showDeleted": true, "showAllVersions": true}"#)
        let session = try harness.conformingBody(opened, .post, "/v6/Jobs/{jobId}/explore")
        let sessionID = try #require(session["id"]?.stringValue)
        let listing = try await harness.send(.get, "/v6/RestoreSessions/\(sessionID)/Organization/OneDrives", token: token)
        let page = try harness.conformingBody(listing, .get, "/v6/RestoreSessions/{restoreSessionId}/Organization/OneDrives")
        let entry = try #require(page["results"]?.arrayValue?.first { $0["id"]?.stringValue == driveID }, "the OneDrive is listed")
        return (sessionID, entry.serialized())
    }
}

extension JSONValue {
    /// The value as JSON text (to send back an object exactly as Lifeboat listed it, `_links` included).
    func serialized() -> String {
        switch self {
        case .null: return "null"
        case .bool(let value): return "\(value)"
        case .integer(let value): return "\(value)"
        case .number(let value): return "\(value)"
        case .string(let value): return String(decoding: (try? JSONEncoder().encode(value)) ?? Data("\"\"".utf8), as: UTF8.self)
        case .array(let values): return "[" + values.map { $0.serialized() }.joined(separator: ",") + "]"
        case .object(let members):
            return "{" + members.sorted { $0.key < $1.key }.map { JSONValue.string($0.key).serialized() + ":" + $0.value.serialized() }
                .joined(separator: ",") + "}"
        }
    }
}
