import Catalog
import Foundation
import HTTPTypes
import HummingbirdTesting
import LifeboatModel
import LifeboatServer
import LifeboatTestSupport
import Testing

/// Seed 004: `GET /backup/m365/cloudbackupjobs/{jobId}` for backup and restore runs.
@Suite("AvePoint dialect: GET /backup/m365/cloudbackupjobs/{jobId}")
struct AvePointJobDetailsTests {
    @Test("a backup run is reported with the seed's fields: Finished, times to the second, hours, and counts that add up")
    func backupRun() async throws {
        try await AvePointAPIHarness.with { api in
            let backup = try #require(api.backup)
            let token = try await api.token()
            let body = try api.envelope(
                try await api.send(.get, "/backup/m365/cloudbackupjobs/\(backup.externalID)?Location=NAM", token: token), .ok)
            #expect(body["message"]?.stringValue == "")
            let job = try #require(body["data"])
            #expect(Set(job.objectValue?.keys.map { $0 } ?? []) == [
                "id", "state", "startTime", "finishTime", "duration", "backupDetails", "jobErrors",
            ])
            #expect(job["id"]?.stringValue == backup.externalID)
            #expect(job["state"]?.stringValue == "Finished")
            for key in ["startTime", "finishTime"] {
                let text = job[key]?.stringValue ?? ""
                #expect(text.wholeMatch(of: #/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z/#) != nil, "\(key) \(text)")
            }
            #expect(job["duration"]?.stringValue?.wholeMatch(of: #/\d+\.\d{3}/#) != nil)
            let counters = backup.counters
            let files = counters.filesAdded + counters.filesChanged + counters.filesUnchanged
            let successful = files + counters.foldersProcessed + counters.itemsRenamedOrMoved + counters.itemsDeleted
            let details = try #require(job["backupDetails"])
            #expect(details["successfulNumber"]?.integerValue == Int64(successful))
            #expect(details["failedNumber"]?.integerValue == 0)
            #expect(details["skippedNumber"]?.integerValue == 0)
            #expect(details["totalNumber"]?.integerValue == Int64(successful))
            #expect(successful > 0)
            #expect(job["jobErrors"]?.arrayValue?.isEmpty == true)
        }
    }

    @Test("an unknown job id is a 404 in the envelope naming it; an unknown location a 400")
    func unknownJob() async throws {
        try await AvePointAPIHarness.with(backUp: false) { api in
            let token = try await api.token()
            let missing = try api.envelope(try await api.send(.get, "/backup/m365/cloudbackupjobs/RS209901010000000001", token: token), .notFound)
            #expect(missing["message"]?.stringValue?.contains("RS209901010000000001") == true)
            #expect(missing["data"] == .null)
            let location = try await api.send(.get, "/backup/m365/cloudbackupjobs/RS209901010000000001?LOCATION=Moon", token: token)
            try api.expectFieldErrors(location, ["location"])
        }
    }

    /// A run state and the label AvePoint shows for it.
    static let stateLabels: [(JobRunState, String)] = [
        (.queued, "In Progress"), (.running, "In Progress"), (.succeeded, "Finished"), (.warning, "Finished with Exception"),
        (.failed, "Failed"), (.stopped, "Failed"),
    ]

    @Test("run states map to AvePoint's labels; times are null until they happen; errors are grouped with their counts", arguments: stateLabels)
    func states(state: JobRunState, label: String) async throws {
        try await AvePointAPIHarness.with(backUp: false) { api in
            let start = Date(timeIntervalSince1970: 1_733_125_945)  // 2024-12-02T07:52:25Z, the seed's start
            var counters = RunCounters()
            counters.itemsRestored = 14
            counters.itemsSkipped = 2
            counters.itemsFailed = state == .warning || state == .failed ? 3 : 0
            let started = state != .queued
            let ended = ![.queued, .running].contains(state)
            let run = JobRun(
                externalID: "RS202412020752250001", jobID: nil, organizationID: api.fixture.organization.id, kind: .restore,
                state: state, createdAt: start, startedAt: started ? start : nil, endedAt: ended ? start.addingTimeInterval(39) : nil,
                counters: counters)
            try await api.fixture.catalog.insertRun(run)
            if counters.itemsFailed > 0 {
                try await api.fixture.catalog.appendRunErrors(
                    [
                        RunError(message: "The destination drive no longer exists in the tenant.", itemPath: "a"),
                        RunError(message: "The destination drive no longer exists in the tenant.", itemPath: "b"),
                        RunError(message: "Upload refused.", itemPath: "c"),
                    ], runID: run.id)
            }
            let job = try #require(
                try api.envelope(
                    try await api.send(.get, "/backup/m365/cloudbackupjobs/RS202412020752250001", token: try await api.token()), .ok)["data"])
            #expect(job["state"]?.stringValue == label)
            #expect(job["startTime"] == (started ? .string("2024-12-02T07:52:25Z") : .null))
            #expect(job["finishTime"] == (ended ? .string("2024-12-02T07:53:04Z") : .null))
            if ended { #expect(job["duration"]?.stringValue == "0.011") }
            if !started { #expect(job["duration"]?.stringValue == "0.000") }
            let details = try #require(job["backupDetails"])
            #expect(details["successfulNumber"]?.integerValue == 14)
            #expect(details["skippedNumber"]?.integerValue == 2)
            #expect(details["failedNumber"]?.integerValue == Int64(counters.itemsFailed))
            #expect(details["totalNumber"]?.integerValue == Int64(16 + counters.itemsFailed))
            let errors = try #require(job["jobErrors"]?.arrayValue)
            if counters.itemsFailed > 0 {
                #expect(errors.count == 2)
                #expect(errors.first?["value"]?.stringValue == "The destination drive no longer exists in the tenant.")
                #expect(errors.first?["number"]?.integerValue == 2)
                #expect(errors.first?["isErrorCode"]?.boolValue == false)
                #expect(errors.first?["url"]?.stringValue == "")
                #expect(errors.last?["number"]?.integerValue == 1)
            } else {
                #expect(errors.isEmpty)
            }
        }
    }
}
