import BackupEngine
import Catalog
import Foundation
import HTTPTypes
import HummingbirdTesting
import LifeboatModel
import LifeboatServer
import LifeboatTestSupport
import M365Simulator
import NIOCore
import Testing

/// Seed 000: `POST /backup/m365/restore/jobs`, from the seed's own bodies to every rule of its validation.
@Suite("AvePoint dialect: POST /backup/m365/restore/jobs")
struct AvePointRestoreJobTests {
    /// The seed's SharePoint Online body, comments and all, with `{SITE}`, `{FOLDER}`, `{FILE}` and `{TIME}` to fill in.
    static let seedSharePointBody = """
        {
        "serviceType": 1, // The Microsoft 365 service to restore.
        "recoveryDateTime": "{TIME}", // The upper bound of the recovery point in UTC.
        "siteRestoreScope": {
        "siteUrl": "{SITE}", // The site URL used to locate the backup content.
        "restoreTargets": [
        {
        "libraryName": "Documents", // The name of the library that contains the items to restore.
        "folders": [
        {
        "relativePath": "{FOLDER}" // The relative path of the folder within the library.
        }
        ],
        "files": [
        {
        "relativePath": "{FILE}" //The relative path of the file within the library.
        }
        ]
        }
        ]
        }
        }
        """

    /// The seed's OneDrive body, verbatim: besides its comments, it closes the `folders` array with `}`.
    static let seedOneDriveBody = """
        {
        "serviceType": 2, // The Microsoft 365 service to restore.
        "recoveryDateTime": "2026-02-27T03:54:22Z", // The upper bound of the recovery point in UTC.
        "oneDriveRestoreScope": {
        "oneDriveUpn": "alexw@contoso.onmicrosoft.com", // The user principal name of the OneDrive account to restore.
        "restoreTargets": [
        {
        "libraryName": "Documents", // The name of the library that contains the items to restore.
        "folders": [
        {
        "relativePath": "Shared/Reports/2026" ////The relative path of the folder within the library.
        }
        }
        ]
        }
        ]
        }
        }
        """

    /// The seed's SharePoint body as valid JSON (its comments removed), with the same placeholders.
    static let sharePointBody = seedSharePointBody.split(separator: "\n")
        .map { line in line.range(of: " //").map { String(line[..<$0.lowerBound]) } ?? String(line) }
        .joined(separator: "\n")

    /// A valid body for the sample library's folder and outside file, at the time just after the backup.
    static func body(
        _ template: String = sharePointBody, site: String, folder: String, file: String, time: String
    ) -> String {
        template.replacingOccurrences(of: "{SITE}", with: site).replacingOccurrences(of: "{FOLDER}", with: folder)
            .replacingOccurrences(of: "{FILE}", with: file).replacingOccurrences(of: "{TIME}", with: time)
    }

    /// A restore body from parts (each a JSON fragment), for tables of cases.
    static func body(serviceType: String = "1", time: String, scope: String) -> String {
        #"{"serviceType": \#(serviceType), "recoveryDateTime": \#(time), \#(scope)}"#
    }

    /// `"siteRestoreScope": {...}` with one target of `libraryName` and the given `files`/`folders` JSON arrays.
    static func siteScope(_ site: String, library: String = "Documents", files: String? = nil, folders: String? = nil) -> String {
        var target = [#""libraryName": "\#(library)""#]
        if let files { target.append(#""files": \#(files)"#) }
        if let folders { target.append(#""folders": \#(folders)"#) }
        return #""siteRestoreScope": {"siteUrl": "\#(site)", "restoreTargets": [{\#(target.joined(separator: ", "))}]}"#
    }

    /// A JSON array of `{relativePath}` entries.
    static func paths(_ paths: [String]) -> String {
        "[" + paths.map { #"{"relativePath": "\#($0)"}"# }.joined(separator: ", ") + "]"
    }

    // MARK: Accepted requests

    @Test("the seed's SharePoint body (comments removed) restores the folder's subtree and the file; the job reports what it restored")
    func seedSharePointBodyRestores() async throws {
        try await AvePointAPIHarness.with { api in
            let (library, folder, file) = try await api.sampleLibrary()
            let site = try #require(library.drive.siteURL)
            let tenant = api.fixture.simulator.tenant
            // Take away what the job must bring back: the file, and one file of the folder.
            let folderFile = try #require(library.subtree(folder).first { library.items[$0]?.isFolder == false })
            for path in [file, folderFile] {
                try await tenant.delete(driveID: library.drive.driveID, itemID: try #require(library.items[path]).itemID)
            }
            let token = try await api.token()
            let response = try await api.postRestoreJob(
                Self.body(site: site, folder: folder, file: file, time: Date().avePointRecoveryTime), token: token,
                query: "?Location=NAM")
            let created = try api.envelope(response, .ok)
            #expect(created["message"]?.stringValue == "")
            #expect(created["errors"]?.arrayValue?.isEmpty == true)
            let jobID = try #require(created["data"]?["jobId"]?.stringValue)
            #expect(jobID.wholeMatch(of: #/RS\d{18}/#) != nil, "\(jobID)")

            let job = try await api.waitUntilJobSettles(jobID, token: token)
            #expect(job["id"]?.stringValue == jobID)
            #expect(job["state"]?.stringValue == "Finished", "\(job)")
            let selected = library.subtree(folder).count + 1
            let details = try #require(job["backupDetails"])
            #expect(details["totalNumber"]?.integerValue == Int64(selected))
            #expect(details["failedNumber"]?.integerValue == 0)
            let restored = try #require(details["successfulNumber"]?.integerValue)
            let skipped = try #require(details["skippedNumber"]?.integerValue)
            #expect(restored + skipped == Int64(selected))
            #expect(restored >= 2, "the two deleted files were restored")
            #expect(job["jobErrors"]?.arrayValue?.isEmpty == true)
            #expect(job["finishTime"]?.stringValue?.wholeMatch(of: #/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z/#) != nil)

            // The deleted files are back at their paths, byte for byte.
            for path in [file, folderFile] {
                let live = try #require(await tenant.item(driveID: library.drive.driveID, path: path), "\(path) is back")
                let bytes = await tenant.content(driveID: library.drive.driveID, itemID: live.id)
                let backedUp = try await api.fixture.storedBytes(of: try #require(library.items[path]))
                #expect(bytes == backedUp, "\(path) restored byte for byte")
            }
        }
    }

    @Test("a OneDrive request (the seed's, made valid) restores by owner UPN; 'Documents' and the drive's own name both name its library")
    func oneDriveRequest() async throws {
        try await AvePointAPIHarness.with { api in
            let (oneDrive, folder, file) = try await api.sampleOneDrive()
            let upn = try #require(oneDrive.drive.ownerUPN)
            let token = try await api.token()
            for (library, path, key) in [("Documents", folder, "folders"), (oneDrive.drive.name.uppercased(), file, "files")] {
                let body = """
                    {"serviceType": 2, "recoveryDateTime": "\(Date().avePointRecoveryTime)",
                     "oneDriveRestoreScope": {"oneDriveUpn": "\(upn.uppercased())",
                      "restoreTargets": [{"libraryName": "\(library)", "\(key)": [{"relativePath": "\(path)"}]}]}}
                    """
                let response = try await api.postRestoreJob(body, token: token)
                let jobID = try #require(try api.envelope(response, .ok)["data"]?["jobId"]?.stringValue)
                let job = try await api.waitUntilJobSettles(jobID, token: token)
                #expect(job["state"]?.stringValue == "Finished", "\(job)")
                let expected = key == "folders" ? oneDrive.subtree(path).count : 1
                #expect(job["backupDetails"]?["totalNumber"]?.integerValue == Int64(expected))
            }
        }
    }

    @Test(
        "the location parameter is matched in any letter case, by key and by value; any documented location is accepted",
        arguments: ["", "?Location=NAM", "?location=eur", "?LOCATION=PrimaryGeoLocation", "?location="])
    func locationCases(query: String) async throws {
        try await AvePointAPIHarness.with { api in
            let (library, folder, file) = try await api.sampleLibrary()
            let response = try await api.postRestoreJob(
                Self.body(site: try #require(library.drive.siteURL), folder: folder, file: file, time: Date().avePointRecoveryTime),
                token: try await api.token(), query: query)
            try api.envelope(response, .ok)
        }
    }

    @Test("property names in any letter case, a 7-digit fraction, a site URL in another case with a trailing slash, and an ignored second scope are accepted")
    func lenientSpellings() async throws {
        try await AvePointAPIHarness.with { api in
            let (library, folder, file) = try await api.sampleLibrary()
            let site = try #require(library.drive.siteURL).uppercased() + "/"
            let body = """
                {"SERVICETYPE": 1, "RecoveryDateTime": "\(Date().addingTimeInterval(1).formatted(Date.ISO8601FormatStyle()).dropLast()).1234567Z",
                 "SiteRestoreScope": {"SiteURL": "\(site)",
                   "RestoreTargets": [{"LIBRARYNAME": "documents", "Folders": [{"RelativePath": "\(folder.uppercased())"}],
                                       "FILES": [{"relativepath": "\(file)"}]}]},
                 "oneDriveRestoreScope": {"restoreTargets": []}}
                """
            let response = try await api.postRestoreJob(body, token: try await api.token())
            try api.envelope(response, .ok)
        }
    }

    @Test("a subsite URL finds the subsite's own libraries")
    func subsite() async throws {
        try await AvePointAPIHarness.with { api in
            let drives = try await api.backedUpDrives()
            let sites = Set(drives.compactMap(\.drive.siteURL))
            let subsite = try #require(
                drives.first { drive in drive.drive.siteURL.map { url in sites.contains { url.hasPrefix($0 + "/") } } ?? false })
            let file = try #require(subsite.files.first)
            let body = Self.body(
                time: "\"\(Date().avePointRecoveryTime)\"",
                scope: Self.siteScope(try #require(subsite.drive.siteURL), files: Self.paths([file])))
            try api.envelope(try await api.postRestoreJob(body, token: try await api.token()), .ok)
        }
    }

    // MARK: Refused requests

    /// One refused body: what it breaks, the body, and the fields the 400 must name. Placeholders: `{SITE}` (the sample
    /// library's site), `{FOLDER}` (a folder with files), `{FOLDER_UPPER}` (the same in upper case), `{FOLDER_FILE}` (a
    /// file in it), `{FILE}` (a file outside it), `{TIME}` (now), `{UPN}` (a backed-up OneDrive's owner).
    struct Refusal: Sendable, CustomTestStringConvertible {
        var label: String
        var body: String
        var fields: [String]
        var query = ""
        var testDescription: String { label }
    }

    static let time = "\"{TIME}\""
    static let site = "{SITE}"
    static let targets = "SiteRestoreScope.RestoreTargets"

    static let refusals: [Refusal] = [
        Refusal(label: "the seed's OneDrive sample, verbatim (malformed)", body: seedOneDriveBody, fields: ["Body"]),
        Refusal(label: "the seed's SharePoint sample with its // comments", body: seedSharePointBody, fields: ["Body"]),
        Refusal(label: "a /* block */ comment", body: "/* restore */ " + sharePointBody, fields: ["Body"]),
        Refusal(label: "a trailing comma", body: #"{"serviceType": 1,}"#, fields: ["Body"]),
        Refusal(label: "an empty body", body: "", fields: ["Body"]),
        Refusal(label: "a JSON array", body: "[]", fields: ["Body"]),
        Refusal(label: "two values", body: "{} {}", fields: ["Body"]),
        Refusal(
            label: "serviceType as a string", body: body(serviceType: "\"1\"", time: time, scope: siteScope(site, files: paths(["{FILE}"]))),
            fields: ["ServiceType"]),
        Refusal(
            label: "serviceType 0 (Exchange)", body: body(serviceType: "0", time: time, scope: siteScope(site, files: paths(["{FILE}"]))),
            fields: ["ServiceType"]),
        Refusal(
            label: "serviceType 4 (Project Online)", body: body(serviceType: "4", time: time, scope: siteScope(site, files: paths(["{FILE}"]))),
            fields: ["ServiceType"]),
        Refusal(
            label: "serviceType 1.5", body: body(serviceType: "1.5", time: time, scope: siteScope(site, files: paths(["{FILE}"]))),
            fields: ["ServiceType"]),
        Refusal(
            label: "serviceType null", body: body(serviceType: "null", time: time, scope: siteScope(site, files: paths(["{FILE}"]))),
            fields: ["ServiceType"]),
        Refusal(
            label: "no serviceType", body: #"{"recoveryDateTime": "{TIME}", \#(siteScope(site, files: paths(["{FILE}"])))}"#,
            fields: ["ServiceType"]),
        Refusal(
            label: "no recoveryDateTime", body: #"{"serviceType": 1, \#(siteScope(site, files: paths(["{FILE}"])))}"#,
            fields: ["RecoveryDateTime"]),
        Refusal(
            label: "recoveryDateTime as a number", body: body(time: "20260227", scope: siteScope(site, files: paths(["{FILE}"]))),
            fields: ["RecoveryDateTime"]),
        Refusal(
            label: "no siteRestoreScope for serviceType 1", body: #"{"serviceType": 1, "recoveryDateTime": "{TIME}"}"#,
            fields: ["SiteRestoreScope"]),
        Refusal(
            label: "only a siteRestoreScope for serviceType 2",
            body: body(serviceType: "2", time: time, scope: siteScope(site, files: paths(["{FILE}"]))), fields: ["OneDriveRestoreScope"]),
        Refusal(
            label: "siteRestoreScope as a string", body: body(time: time, scope: #""siteRestoreScope": "{SITE}""#),
            fields: ["SiteRestoreScope"]),
        Refusal(
            label: "no siteUrl", body: body(time: time, scope: #""siteRestoreScope": {"restoreTargets": [{"libraryName": "Documents", "files": [{"relativePath": "{FILE}"}]}]}"#),
            fields: ["SiteRestoreScope.SiteUrl"]),
        Refusal(
            label: "empty restoreTargets", body: body(time: time, scope: #""siteRestoreScope": {"siteUrl": "{SITE}", "restoreTargets": []}"#),
            fields: [targets]),
        Refusal(
            label: "a target without files or folders", body: body(time: time, scope: siteScope(site)), fields: ["\(targets)[0]"]),
        Refusal(
            label: "a target with empty files and folders", body: body(time: time, scope: siteScope(site, files: "[]", folders: "[]")),
            fields: ["\(targets)[0]"]),
        Refusal(
            label: "an empty relativePath", body: body(time: time, scope: siteScope(site, files: paths([""]))),
            fields: ["\(targets)[0].Files[0].RelativePath"]),
        Refusal(
            label: "a relativePath of only slashes", body: body(time: time, scope: siteScope(site, folders: paths(["/"]))),
            fields: ["\(targets)[0].Folders[0].RelativePath"]),
        Refusal(
            label: "a relativePath that is a number", body: body(time: time, scope: siteScope(site, files: #"[{"relativePath": 7}]"#)),
            fields: ["\(targets)[0].Files[0].RelativePath"]),
        Refusal(
            label: "files as an object", body: body(time: time, scope: siteScope(site, files: #"{"relativePath": "{FILE}"}"#)),
            fields: ["\(targets)[0].Files"]),
        Refusal(
            label: "no libraryName", body: body(time: time, scope: #""siteRestoreScope": {"siteUrl": "{SITE}", "restoreTargets": [{"files": [{"relativePath": "{FILE}"}]}]}"#),
            fields: ["\(targets)[0].LibraryName"]),
        Refusal(
            label: "21 paths", body: body(time: time, scope: siteScope(site, files: paths((1...21).map { "missing-\($0).txt" }))),
            fields: [targets]),
        Refusal(
            label: "20 paths is the limit: each is looked up (and these do not exist)",
            body: body(time: time, scope: siteScope(site, files: paths((1...20).map { "missing-\($0).txt" }))),
            fields: (0..<20).map { "\(targets)[0].Files[\($0)].RelativePath" }),
        Refusal(
            label: "a folder and a file below it", body: body(time: time, scope: siteScope(site, files: paths(["{FOLDER}/child.txt"]), folders: paths(["{FOLDER}"]))),
            fields: ["\(targets)[0].Files[0].RelativePath"]),
        Refusal(
            label: "a file listed before its folder, in another case, in another target",
            body: body(
                time: time,
                scope: #""siteRestoreScope": {"siteUrl": "{SITE}", "restoreTargets": [{"libraryName": "Documents", "files": [{"relativePath": "{FOLDER_FILE}"}]}, {"libraryName": "DOCUMENTS", "folders": [{"relativePath": "{FOLDER_UPPER}"}]}]}"#),
            fields: ["\(targets)[0].Files[0].RelativePath"]),
        Refusal(
            label: "the same path twice", body: body(time: time, scope: siteScope(site, files: paths(["{FILE}", "{FILE}"]))),
            fields: ["\(targets)[0].Files[1].RelativePath"]),
        Refusal(
            label: "an unknown site", body: body(time: time, scope: siteScope("https://contoso.sharepoint.com/sites/Nowhere", files: paths(["{FILE}"]))),
            fields: ["SiteRestoreScope.SiteUrl"]),
        Refusal(
            label: "an unknown library", body: body(time: time, scope: siteScope(site, library: "Budgets", files: paths(["{FILE}"]))),
            fields: ["\(targets)[0].LibraryName"]),
        Refusal(
            label: "an unknown path", body: body(time: time, scope: siteScope(site, files: paths(["no/such/file.docx"]))),
            fields: ["\(targets)[0].Files[0].RelativePath"]),
        Refusal(
            label: "a folder listed as a file", body: body(time: time, scope: siteScope(site, files: paths(["{FOLDER}"]))),
            fields: ["\(targets)[0].Files[0].RelativePath"]),
        Refusal(
            label: "a file listed as a folder", body: body(time: time, scope: siteScope(site, folders: paths(["{FILE}"]))),
            fields: ["\(targets)[0].Folders[0].RelativePath"]),
        Refusal(
            label: "no backup before recoveryDateTime", body: body(time: "\"2001-01-01T00:00:00Z\"", scope: siteScope(site, files: paths(["{FILE}"]))),
            fields: ["RecoveryDateTime"]),
        Refusal(
            label: "an unknown user",
            body: body(
                serviceType: "2", time: time,
                scope: #""oneDriveRestoreScope": {"oneDriveUpn": "nobody@contoso.onmicrosoft.com", "restoreTargets": [{"libraryName": "Documents", "files": [{"relativePath": "a.txt"}]}]}"#),
            fields: ["OneDriveRestoreScope.OneDriveUpn"]),
        Refusal(
            label: "an unknown OneDrive library",
            body: body(
                serviceType: "2", time: time,
                scope: #""oneDriveRestoreScope": {"oneDriveUpn": "{UPN}", "restoreTargets": [{"libraryName": "Shared", "files": [{"relativePath": "a.txt"}]}]}"#),
            fields: ["OneDriveRestoreScope.RestoreTargets[0].LibraryName"]),
        Refusal(
            label: "an unknown location", body: body(time: time, scope: siteScope(site, files: paths(["{FILE}"]))), fields: ["location"],
            query: "?location=MARS"),
        Refusal(
            label: "an unknown location under an upper-case key", body: body(time: time, scope: siteScope(site, files: paths(["{FILE}"]))),
            fields: ["location"], query: "?LOCATION=nam2"),
        Refusal(
            label: "several problems at once",
            body: #"""
                {"serviceType": 1, "recoveryDateTime": "2026-02-27 03:54:22",
                 "siteRestoreScope": {"siteUrl": "{SITE}", "restoreTargets": [
                   {"libraryName": "Budgets", "files": [{"relativePath": ""}]},
                   {"libraryName": "Documents"},
                   {"libraryName": "Documents", "folders": [{"relativePath": "{FOLDER}"}, {"relativePath": "{FOLDER}/x"}]}]}}
                """#,
            fields: [
                "location", "RecoveryDateTime", "\(targets)[0].Files[0].RelativePath", "\(targets)[1]", "\(targets)[0].LibraryName",
                "\(targets)[2].Folders[1].RelativePath",
            ],
            query: "?Location=Atlantis"),
    ]

    @Test("every rule of seed 000 refuses its bad input with a 400 naming the fields, all problems together", arguments: refusals)
    func refusal(_ refusal: Refusal) async throws {
        try await AvePointAPIHarness.with { api in
            let (library, folder, file) = try await api.sampleLibrary()
            let upn = try #require(try await api.sampleOneDrive().oneDrive.drive.ownerUPN)
            let folderFile = try #require(library.subtree(folder).first { library.items[$0]?.isFolder == false })
            let body = refusal.body.replacingOccurrences(of: "{SITE}", with: try #require(library.drive.siteURL))
                .replacingOccurrences(of: "{FOLDER_FILE}", with: folderFile).replacingOccurrences(of: "{FOLDER_UPPER}", with: folder.uppercased())
                .replacingOccurrences(of: "{FOLDER}", with: folder).replacingOccurrences(of: "{FILE}", with: file)
                .replacingOccurrences(of: "{TIME}", with: Date().avePointRecoveryTime).replacingOccurrences(of: "{UPN}", with: upn)
            let response = try await api.postRestoreJob(body, token: try await api.token(), query: refusal.query)
            try api.expectFieldErrors(response, refusal.fields)
            let runs = try await api.fixture.catalog.countRuns(
                organizationID: api.fixture.organization.id, kinds: [.restore], states: [.queued, .running, .succeeded, .warning, .failed])
            #expect(runs == 0, "a refused request created no job")
        }
    }

    @Test("messages read like the seed's: 'Site Restore Scope' must not be empty, and name what is wrong")
    func messages() async throws {
        try await AvePointAPIHarness.with { api in
            let token = try await api.token()
            let missing = try api.expectFieldErrors(
                try await api.postRestoreJob(#"{"serviceType": 1, "recoveryDateTime": "2026-02-27T03:54:22Z"}"#, token: token),
                ["SiteRestoreScope"])
            #expect(missing["SiteRestoreScope"] == "'Site Restore Scope' must not be empty.")
            let exchange = try api.expectFieldErrors(
                try await api.postRestoreJob(#"{"serviceType": 0, "recoveryDateTime": "2026-02-27T03:54:22Z"}"#, token: token),
                ["ServiceType"])
            #expect(exchange["ServiceType"]?.contains("Exchange Online") == true, "\(exchange)")
            let comment = try api.expectFieldErrors(
                try await api.postRestoreJob("{\n\"serviceType\": 1, // SharePoint\n}", token: token), ["Body"])
            #expect(comment["Body"]?.contains("Comments are not allowed") == true, "\(comment)")
            #expect(comment["Body"]?.contains("line 2") == true, "\(comment)")
        }
    }

    @Test(
        "recoveryDateTime takes only yyyy-MM-ddTHH:mm:ssZ and yyyy-MM-ddTHH:mm:ss.fffffffZ",
        arguments: [
            "2026-02-27 03:54:22Z", "2026-02-27T03:54:22", "2026-02-27T03:54:22+00:00", "2026-02-27T03:54:22.123Z",
            "2026-02-27T03:54:22.12345678Z", "2026-02-27", "2026-02-30T00:00:00Z", "2026-13-01T00:00:00Z", "27/02/2026 03:54:22",
            "2026-02-27t03:54:22z", "",
        ])
    func recoveryDateTimeFormats(_ text: String) async throws {
        try await AvePointAPIHarness.with { api in
            let (library, folder, file) = try await api.sampleLibrary()
            let response = try await api.postRestoreJob(
                Self.body(site: try #require(library.drive.siteURL), folder: folder, file: file, time: text), token: try await api.token())
            try api.expectFieldErrors(response, ["RecoveryDateTime"])
        }
    }

    // MARK: Admission

    @Test("with three restore jobs running, a fourth is a 429 with the seed's message; once one ends, the next is accepted")
    func tooManyJobs() async throws {
        try await AvePointAPIHarness.with { api in
            let (library, folder, file) = try await api.sampleLibrary()
            let body = Self.body(site: try #require(library.drive.siteURL), folder: folder, file: file, time: Date().avePointRecoveryTime)
            var running: [JobRun] = []
            for index in 1...3 {
                // Jobs another live process works on (this one, under another owner id), so they hold their slots.
                let run = JobRun(
                    externalID: "RS2026022703542200\(index)0", jobID: nil, organizationID: api.fixture.organization.id, kind: .restore,
                    state: .running, startedAt: Date(), lease: RunLease(owner: .currentProcess(), expiresAt: Date().addingTimeInterval(600)))
                try await api.fixture.catalog.insertRun(run)
                running.append(run)
            }
            let token = try await api.token()
            let refused = try api.envelope(try await api.postRestoreJob(body, token: token), .tooManyRequests)
            #expect(
                refused["message"]?.stringValue == "There are already 3 restore/export jobs running, cannot start new restore job.")
            #expect(refused["data"] == .null)

            var ended = running[0]
            ended.state = .succeeded
            ended.endedAt = Date()
            try await api.fixture.catalog.updateRun(ended)
            let accepted = try api.envelope(try await api.postRestoreJob(body, token: token), .ok)
            #expect(accepted["data"]?["jobId"]?.stringValue?.hasPrefix("RS") == true)
        }
    }
}
