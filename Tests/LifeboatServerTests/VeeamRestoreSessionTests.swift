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

@Suite("Veeam dialect: restore sessions (seed 001) and browsing OneDrives in them")
struct VeeamRestoreSessionTests {
    static let explore = "/v6/Jobs/{jobId}/explore"
    static let sessions = "/v6/RestoreSessions"
    static let session = "/v6/RestoreSessions/{restoreSessionId}"
    static let stop = "/v6/RestoreSessions/{restoreSessionId}/Stop"
    static let events = "/v6/RestoreSessions/{restoreSessionId}/Events"
    static let event = "/v6/RestoreSessions/{restoreSessionId}/Events/{eventId}"
    static let organization = "/v6/RestoreSessions/{restoreSessionId}/organization"
    static let oneDrives = "/v6/RestoreSessions/{restoreSessionId}/Organization/OneDrives"
    static let oneDrive = "\(oneDrives)/{oneDriveId}"
    static let folders = "\(oneDrive)/Folders"
    static let folder = "\(oneDrive)/Folders/{folderId}"
    static let documents = "\(oneDrive)/Documents"
    static let document = "\(oneDrive)/Documents/{documentId}"
    static let versions = "\(oneDrive)/Documents/{documentId}/Versions"

    /// Seed 001's request body, with the OneDrive type instead of Exchange.
    static let seedBody = #"{ "dateTime": "2022-01-22T14:56:55.862Z", "type": "Veod", "showDeleted": true, "showAllVersions": true }"#

    /// An explore body; a nil `dateTime` is left out.
    static func body(dateTime: String?, type: String = "Veod", showDeleted: Bool = false, showAllVersions: Bool = false) -> String {
        let time = dateTime.map { #""dateTime": "\#($0)", "# } ?? ""
        return #"{\#(time)"type": "\#(type)", "showDeleted": \#(showDeleted), "showAllVersions": \#(showAllVersions)}"#
    }

    /// Formats `date` with a `DateFormatter` pattern in `zone`.
    static func format(_ date: Date, _ pattern: String, zone: String = "UTC") -> String {
        VeeamRestorePointsTests.format(date, pattern, zone: zone)
    }

    /// Posts an explore request for the fixture's job; the answer must be a 200 `RESTRestoreSession`.
    static func explore(
        _ api: VeeamAPIHarness, token: String, _ body: String, sourceLocation: SourceLocation = #_sourceLocation
    ) async throws -> JSONValue {
        let response = try await api.send(
            .post, "/v6/Jobs/\(api.fixture.job.id.wire)/explore", token: token,
            headers: [.contentType: "application/json"], body: body)
        #expect(response.status == .ok, "\(body): \(String(buffer: response.body))", sourceLocation: sourceLocation)
        return try api.conformingBody(response, .post, Self.explore, sourceLocation: sourceLocation)
    }

    /// The catalog's record of the session an answer describes.
    static func stored(_ api: VeeamAPIHarness, _ answer: JSONValue) async throws -> RestoreSession {
        let id = try #require(answer["id"]?.stringValue.flatMap(UUID.init(uuidString:)))
        return try #require(try await api.fixture.catalog.restoreSession(id: id))
    }

    /// Follows a link, which must answer 200 conforming to `template`.
    static func follow(
        _ api: VeeamAPIHarness, token: String, _ link: JSONValue?, _ template: String,
        sourceLocation: SourceLocation = #_sourceLocation
    ) async throws -> JSONValue {
        let href = try #require(link?["href"]?.stringValue, "no href in \(String(describing: link))", sourceLocation: sourceLocation)
        let response = try await api.send(.get, href, token: token)
        #expect(response.status == .ok, "\(href): \(String(buffer: response.body))", sourceLocation: sourceLocation)
        return try api.conformingBody(response, .get, template, sourceLocation: sourceLocation)
    }

    /// Every result of a paged collection, following `next` links from the page at `href`.
    static func collect(
        _ api: VeeamAPIHarness, token: String, _ href: String, _ template: String,
        sourceLocation: SourceLocation = #_sourceLocation
    ) async throws -> [JSONValue] {
        var results: [JSONValue] = []
        var next: JSONValue? = .object(["href": .string(href)])
        while let link = next {
            let page = try await follow(api, token: token, link, template, sourceLocation: sourceLocation)
            results += page["results"]?.arrayValue ?? []
            next = page["_links"]?["next"]
        }
        return results
    }

    /// `id|name|size` of each document (or `id|name` of each folder), for comparing listings as sets.
    static func keys(_ entries: [JSONValue]) -> [String] {
        entries.map { entry in
            let size = entry["sizeBytes"]?.integerValue.map { "|\($0)" } ?? ""
            return "\(entry["id"]?.stringValue ?? "?")|\(entry["name"]?.stringValue ?? "?")\(size)"
        }.sorted()
    }

    /// The committed restore points of the fixture's job, oldest first.
    static func points(_ fixture: BackupFixture) async throws -> [RestorePoint] {
        try await fixture.catalog.restorePoints(RestorePointFilter(jobID: fixture.job.id)).sorted { $0.sequence < $1.sequence }
    }

    // MARK: Explore

    @Test("explore with seed 001's own body opens a working OneDrive session named as Veeam names it; before the first backup it holds no data")
    func exploreWithTheSeedBody() async throws {
        try await VeeamAPIHarness.with { api in
            let token = try await api.signIn()
            #expect(try await api.fixture.backUp().state == .succeeded)
            let answer = try await Self.explore(api, token: token, Self.seedBody)
            let id = try #require(answer["id"]?.stringValue)
            #expect(answer["name"]?.stringValue == "OneDrive restore (Job: Whole tenant - 1/22/2022 2:56:55 PM)")
            #expect(answer["organization"]?.stringValue == api.fixture.organization.name)
            #expect(answer["type"]?.stringValue == "Veod")
            #expect(answer["state"]?.stringValue == "Working")
            #expect(answer["result"]?.stringValue == "Success")
            #expect(answer["endTime"]?.stringValue == "9999-12-31T23:59:59.9999999Z")
            #expect(answer["initiatedBy"]?.stringValue == VeeamAPIHarness.username)
            #expect(answer["clientHost"]?.stringValue == "Lifeboat (via: 127.0.0.1)")
            #expect(answer["scopeName"]?.stringValue == "")
            let created = try #require(VeeamOrganizationsAndJobsTests.date(answer["creationTime"]))
            #expect(abs(created.timeIntervalSinceNow) < 60)
            #expect(answer["_links"]?["self"]?["href"]?.stringValue == "/v6/restoresessions/\(id)")
            #expect(answer["_links"]?["organization"]?["href"]?.stringValue == "/v6/restoresessions/\(id)/organization")
            #expect(answer["_links"]?["restoreSessionEvents"]?["href"]?.stringValue == "/v6/restoresessions/\(id)/events")

            let stored = try await Self.stored(api, answer)
            #expect(stored.restorePointSequence == nil, "2022 precedes the first backup: the session holds no data")
            #expect(stored.jobID == api.fixture.job.id && stored.organizationID == api.fixture.organization.id)
            #expect(stored.kind == .oneDrive && stored.showDeleted && stored.showAllVersions)
            #expect(VeeamOrganizationsAndJobsTests.milliseconds(stored.requestedTime) == 1_642_863_415_862)
            #expect(stored.initiatedBy == VeeamAPIHarness.username)

            #expect(try await Self.follow(api, token: token, answer["_links"]?["self"], Self.session) == answer)
            let organization = try await Self.follow(api, token: token, answer["_links"]?["organization"], Self.organization)
            #expect(organization["id"]?.stringValue == api.fixture.organization.id.wire)
            #expect(organization["name"]?.stringValue == api.fixture.organization.name)
            let oneDrives = try await Self.follow(api, token: token, organization["_links"]?["onedrives"], Self.oneDrives)
            #expect(oneDrives["results"]?.arrayValue == [])
            #expect(oneDrives["totalCount"]?.integerValue == 0)
            let events = try await Self.follow(api, token: token, answer["_links"]?["restoreSessionEvents"], Self.events)
            #expect(events["results"]?.arrayValue == [])

            let list = try await Self.collect(api, token: token, "/v6/RestoreSessions", Self.sessions)
            #expect(list == [answer])
        }
    }

    @Test("dateTime is read in each format Veeam accepts and ISO 8601, and picks the restore point at or before it")
    func dateTimeFormats() async throws {
        try await VeeamAPIHarness.with { api in
            let token = try await api.signIn()
            #expect(try await api.fixture.backUp().state == .succeeded)
            let point = try #require(try await Self.points(api.fixture).last)
            // Whole seconds, so every format, with or without fractions, denotes exactly this instant.
            let after = Date(timeIntervalSince1970: (point.backupTime.timeIntervalSince1970).rounded(.down) + 2)
            let before = after.addingTimeInterval(-86_400)
            let cases: [(Date, String, String)] = [
                (after, "yyyy-MM-dd HH:mm:ss.SSS", "UTC"),
                (after, "yyyy.MM.dd HH:mm:ss", "UTC"),
                (after, "yyyy-MM-dd'T'HH:mm:ss.SSS'Z'", "UTC"),
                (after, "yyyy-MM-dd'T'HH:mm:ssxxx", "Asia/Kolkata"),
                (after, "yyyy-MM-dd'T'HH:mm:ss", "UTC"),
                (after, "MM/dd/yyyy HH:mm:ss", "UTC"),
                (after, "M/d/yyyy h:mm:ss a", "UTC"),
                (before, "yyyy-MM-dd HH:mm:ss.SSS", "UTC"),
                (before, "yyyy.MM.dd HH:mm:ss", "UTC"),
                (before, "yyyy-MM-dd'T'HH:mm:ss.SSSxxx", "America/New_York"),
            ]
            for (time, pattern, zone) in cases {
                let text = Self.format(time, pattern, zone: zone)
                let answer = try await Self.explore(api, token: token, Self.body(dateTime: text))
                let stored = try await Self.stored(api, answer)
                #expect(stored.requestedTime == time, "\(text)")
                #expect(stored.restorePointSequence == (time > point.backupTime ? point.sequence : nil), "\(text)")
                #expect(answer["name"]?.stringValue == "OneDrive restore (Job: Whole tenant - \(Self.format(time, "M/d/yyyy h:mm:ss a")))")
            }
            // No dateTime: now, so the latest point; the type in any case.
            let latest = try await Self.explore(api, token: token, #"{"type": "VEOD"}"#)
            #expect(try await Self.stored(api, latest).restorePointSequence == point.sequence)
            #expect(latest["type"]?.stringValue == "Veod")
            let sharePoint = try await Self.explore(api, token: token, Self.body(dateTime: "2099-01-01T00:00:00Z", type: "vesp"))
            #expect(sharePoint["type"]?.stringValue == "Vesp")
            #expect(sharePoint["name"]?.stringValue == "SharePoint restore (Job: Whole tenant - 1/1/2099 12:00:00 AM)")
            let stored = try await Self.stored(api, sharePoint)
            #expect(stored.kind == .sharePoint && stored.restorePointSequence == point.sequence)
            let listed = try await Self.collect(api, token: token, "/v6/RestoreSessions?limit=4", Self.sessions)
            #expect(listed.count == cases.count + 2)
        }
    }

    // MARK: Browsing

    @Test("a session lists the OneDrives, folders and documents of its point as the tenant held them, with Graph ids and links that resolve")
    func browseOneDrives() async throws {
        try await VeeamAPIHarness.with { api in
            let token = try await api.signIn()
            let tenant = api.fixture.simulator.tenant
            let snapshot = await TenantSnapshot.capture(tenant)
            #expect(try await api.fixture.backUp().state == .succeeded)
            let answer = try await Self.explore(api, token: token, Self.body(dateTime: "9999-12-31T00:00:00Z"))
            let sessionID = try #require(answer["id"]?.stringValue)
            let base = "/v6/RestoreSessions/\(sessionID)/Organization/OneDrives"

            let users = await tenant.users()
            let drives = await tenant.drives().filter { $0.kind == .business }
            #expect(drives.count == users.count && !drives.isEmpty)
            let listed = try await Self.collect(api, token: token, "\(base)?limit=1", Self.oneDrives)
            #expect(listed.compactMap { $0["id"]?.stringValue }.sorted() == drives.map(\.id).sorted())
            #expect(listed.compactMap { $0["name"]?.stringValue } == users.map(\.displayName).sorted())
            let firstPage = try await Self.follow(api, token: token, .object(["href": .string("\(base)?limit=1")]), Self.oneDrives)
            #expect(firstPage["totalCount"]?.integerValue == Int64(drives.count))
            #expect(firstPage["results"]?.arrayValue?.count == 1)
            #expect(firstPage["_links"]?["next"]?["href"]?.stringValue?.hasSuffix("offset=1&limit=1") == true)

            for entry in listed {
                let driveID = try #require(entry["id"]?.stringValue)
                let drive = try #require(drives.first { $0.id == driveID })
                let owner = try #require(users.first { $0.driveID == driveID })
                #expect(entry["name"]?.stringValue == owner.displayName)
                #expect(entry["url"]?.stringValue == drive.webURL)
                let selfHref = try #require(entry["_links"]?["self"]?["href"]?.stringValue)
                #expect(selfHref == "/v6/restoresessions/\(sessionID)/organization/onedrives/\(driveID.replacingOccurrences(of: "!", with: "%21"))")
                #expect(try await Self.follow(api, token: token, entry["_links"]?["self"], Self.oneDrive) == entry)
                // The bare Graph id is accepted too.
                #expect(try await Self.follow(api, token: token, .object(["href": .string("\(base)/\(driveID)")]), Self.oneDrive) == entry)

                let items = snapshot.items(driveID: driveID).values.map(\.item)
                let files = items.filter { !$0.isFolder }.map { "\($0.id)|\($0.name)|\($0.size)" }.sorted()
                let folders = items.filter { $0.isFolder && !$0.isRoot }.map { "\($0.id)|\($0.name)" }.sorted()
                let allDocuments = try await Self.collect(api, token: token, try #require(entry["_links"]?["alldocuments"]?["href"]?.stringValue), Self.documents)
                let allFolders = try await Self.collect(api, token: token, try #require(entry["_links"]?["allfolders"]?["href"]?.stringValue), Self.folders)
                #expect(Self.keys(allDocuments) == files)
                #expect(Self.keys(allFolders) == folders)
                #expect(!files.isEmpty && !folders.isEmpty)

                // Walking the tree from the root by the links finds every folder and document exactly once.
                var walkedDocuments = try await Self.collect(api, token: token, try #require(entry["_links"]?["documents"]?["href"]?.stringValue), Self.documents)
                var walkedFolders: [JSONValue] = []
                var pending = try await Self.collect(api, token: token, try #require(entry["_links"]?["folders"]?["href"]?.stringValue), Self.folders)
                while let folder = pending.popLast() {
                    walkedFolders.append(folder)
                    #expect(try await Self.follow(api, token: token, folder["_links"]?["self"], Self.folder) == folder)
                    if folder["_links"]?["parent"] != nil {
                        _ = try await Self.follow(api, token: token, folder["_links"]?["parent"], Self.folder)
                    }
                    pending += try await Self.collect(api, token: token, try #require(folder["_links"]?["folders"]?["href"]?.stringValue), Self.folders)
                    walkedDocuments += try await Self.collect(api, token: token, try #require(folder["_links"]?["documents"]?["href"]?.stringValue), Self.documents)
                }
                #expect(Self.keys(walkedDocuments) == files)
                #expect(Self.keys(walkedFolders) == folders)

                for document in allDocuments {
                    let id = try #require(document["id"]?.stringValue)
                    let item = try #require(snapshot.items(driveID: driveID)[id])
                    #expect(try await Self.follow(api, token: token, document["_links"]?["self"], Self.document) == document)
                    #expect(VeeamOrganizationsAndJobsTests.milliseconds(VeeamOrganizationsAndJobsTests.date(document["modificationTime"]))
                        == VeeamOrganizationsAndJobsTests.milliseconds(item.item.modifiedAt))
                    #expect(document["modifiedBy"]?.stringValue?.isEmpty == false)
                    let versions = try await Self.collect(
                        api, token: token, try #require(document["_links"]?["versions"]?["href"]?.stringValue), Self.versions)
                    #expect(versions.count == item.versions.count, "every Graph version of \(item.item.name) is stored")
                    #expect(versions.last?["sizeBytes"]?.integerValue == Int64(item.item.size))
                }
            }
        }
    }

    @Test("showDeleted adds files deleted before the point in time, showAllVersions lists every state, and an earlier time shows the earlier point")
    func deletedFilesAndVersions() async throws {
        try await VeeamAPIHarness.with { api in
            let token = try await api.signIn()
            let fixture = api.fixture
            let tenant = fixture.simulator.tenant
            #expect(try await fixture.backUp().state == .succeeded)
            let driveID = try #require(await tenant.drives().first { $0.kind == .business }?.id)
            let files = await TenantSnapshot.capture(tenant).items(driveID: driveID).values.map(\.item)
                .filter { !$0.isFolder && $0.size > 0 }.sorted { $0.name < $1.name }
            try #require(files.count >= 2)
            let deleted = files[0]
            let edited = files[1]
            try await tenant.delete(driveID: driveID, itemID: deleted.id)
            let newBytes = Array("A new version of the file, written between the backups.".utf8)
            _ = try await tenant.updateContent(driveID: driveID, itemID: edited.id, bytes: newBytes)
            #expect(try await fixture.backUp().state == .succeeded)
            let points = try await Self.points(fixture)
            try #require(points.count == 2)
            let encodedDrive = driveID.replacingOccurrences(of: "!", with: "%21")

            func documents(_ body: String) async throws -> (session: JSONValue, documents: [JSONValue]) {
                let session = try await Self.explore(api, token: token, body)
                let id = try #require(session["id"]?.stringValue)
                let all = try await Self.collect(
                    api, token: token, "/v6/RestoreSessions/\(id)/Organization/OneDrives/\(encodedDrive)/Documents?limit=7", Self.documents)
                return (session, all)
            }
            func count(_ entries: [JSONValue], _ id: String) -> Int { entries.filter { $0["id"]?.stringValue == id }.count }

            let latest = try await documents(Self.body(dateTime: nil))
            #expect(count(latest.documents, deleted.id) == 0, "a file deleted before the point is hidden")
            #expect(count(latest.documents, edited.id) == 1)
            #expect(latest.documents.first { $0["id"]?.stringValue == edited.id }?["sizeBytes"]?.integerValue == Int64(newBytes.count))
            let latestID = try #require(latest.session["id"]?.stringValue)
            try api.expectRefusal(
                try await api.send(.get, "/v6/RestoreSessions/\(latestID)/Organization/OneDrives/\(encodedDrive)/Documents/\(deleted.id)", token: token),
                .notFound, .get, Self.document, mentioning: deleted.id)

            let withDeleted = try await documents(Self.body(dateTime: nil, showDeleted: true))
            #expect(count(withDeleted.documents, deleted.id) == 1)
            let shown = try #require(withDeleted.documents.first { $0["id"]?.stringValue == deleted.id })
            #expect(shown["name"]?.stringValue == deleted.name && shown["sizeBytes"]?.integerValue == Int64(deleted.size))
            #expect(try await Self.follow(api, token: token, shown["_links"]?["self"], Self.document) == shown)
            #expect(withDeleted.documents.count == latest.documents.count + 1)

            let history = try await fixture.catalog.history(
                jobID: fixture.job.id, driveID: driveID, itemID: edited.id, upTo: points[1].sequence)
            #expect(history.count >= 2)
            let allVersions = try await documents(Self.body(dateTime: nil, showAllVersions: true))
            #expect(count(allVersions.documents, edited.id) == history.count)
            #expect(count(allVersions.documents, deleted.id) == 0)
            let states = allVersions.documents.filter { $0["id"]?.stringValue == edited.id }
            #expect(states.compactMap { $0["sizeBytes"]?.integerValue } == history.map(\.size))
            #expect(states.last?["sizeBytes"]?.integerValue == Int64(newBytes.count))
            #expect(Set(states.compactMap { $0["version"]?.stringValue }).count == history.count, "each state carries its version label")

            // Between the backups: the first point, where the deleted file lives and the edited one has its old size.
            let middle = Date(
                timeIntervalSince1970: (points[0].backupTime.timeIntervalSince1970 + points[1].backupTime.timeIntervalSince1970) / 2)
            let earlier = try await documents(Self.body(dateTime: Self.format(middle, "yyyy-MM-dd'T'HH:mm:ss.SSS'Z'")))
            #expect(try await Self.stored(api, earlier.session).restorePointSequence == points[0].sequence)
            #expect(count(earlier.documents, deleted.id) == 1)
            #expect(earlier.documents.first { $0["id"]?.stringValue == edited.id }?["sizeBytes"]?.integerValue == Int64(edited.size))
            let catalogItems = try await fixture.catalog.items(
                jobID: fixture.job.id, driveID: driveID, at: points[0].sequence, options: PointInTimeOptions())
            #expect(Self.keys(earlier.documents) == catalogItems.filter { !$0.isFolder }.map { "\($0.itemID)|\($0.name)|\($0.size)" }.sorted())
        }
    }

    // MARK: Events and stopping

    @Test("events are listed in order and paged; a stopped session ends, can still be read, and refuses browsing with a 409")
    func eventsAndStop() async throws {
        try await VeeamAPIHarness.with { api in
            let token = try await api.signIn()
            #expect(try await api.fixture.backUp().state == .succeeded)
            let answer = try await Self.explore(api, token: token, Self.body(dateTime: nil))
            let stored = try await Self.stored(api, answer)
            let id = stored.id.wire
            let start = Date(timeIntervalSince1970: 1_700_000_000)
            let recorded = (0..<3).map { order in
                RestoreSessionEvent(
                    sessionID: stored.id, order: order, type: order == 2 ? "custom" : "restore",
                    status: order == 1 ? .failed : .success, title: "Item \(order)", message: "Restored item \(order)",
                    itemName: "file\(order).txt", itemType: "Document", itemSizeBytes: Int64(100 * order),
                    source: "OneDrive", target: "OneDrive", startTime: start, endTime: start.addingTimeInterval(3725))
            }
            try await api.fixture.catalog.appendRestoreSessionEvents(recorded)
            let events = try await Self.collect(api, token: token, "/v6/RestoreSessions/\(id)/Events?limit=2", Self.events)
            #expect(events.compactMap { $0["id"]?.stringValue } == recorded.map(\.id.wire))
            #expect(events.compactMap { $0["order"]?.integerValue } == [0, 1, 2])
            #expect(events.compactMap { $0["status"]?.stringValue } == ["Success", "Failed", "Success"])
            #expect(events.compactMap { $0["type"]?.stringValue } == ["Restore", "Restore", "None"])
            #expect(events.compactMap { $0["itemName"]?.stringValue } == ["file0.txt", "file1.txt", "file2.txt"])
            #expect(events.first?["duration"]?.stringValue == "01:02:05")
            #expect(try await Self.follow(api, token: token, events.last?["_links"]?["self"], Self.event) == events.last)

            let stopped = try await api.send(.post, "/v6/RestoreSessions/\(id)/Stop", token: token)
            #expect(stopped.status == .ok)
            try api.conformingBody(stopped, .post, Self.stop)
            let after = try await Self.follow(api, token: token, answer["_links"]?["self"], Self.session)
            #expect(after["state"]?.stringValue == "Stopped")
            let ended = try #require(VeeamOrganizationsAndJobsTests.date(after["endTime"]))
            #expect(abs(ended.timeIntervalSinceNow) < 60)
            #expect(try await Self.stored(api, answer).state == .stopped)
            for path in ["", "/\(UUID().wire)/Folders", "/x/Documents"] {
                let template = path.isEmpty ? Self.oneDrives : path.hasSuffix("Folders") ? Self.folders : Self.documents
                try api.expectRefusal(
                    try await api.send(.get, "/v6/RestoreSessions/\(id)/Organization/OneDrives\(path)", token: token),
                    .conflict, .get, template, mentioning: "stopped")
            }
            #expect(try await Self.collect(api, token: token, "/v6/RestoreSessions/\(id)/Events", Self.events).count == 3)
            // Stopping again changes nothing.
            try api.conformingBody(try await api.send(.post, "/v6/RestoreSessions/\(id)/stop", token: token), .post, Self.stop)
            #expect(try await Self.follow(api, token: token, answer["_links"]?["self"], Self.session)["endTime"] == after["endTime"])
            try api.expectRefusal(
                try await api.send(.post, "/v6/RestoreSessions/\(UUID().wire)/Stop", token: token), .notFound, .post, Self.stop)
            try api.expectRefusal(
                try await api.send(.post, "/v6/RestoreSessions/nope/Stop", token: token), .badRequest, .post, Self.stop,
                mentioning: "restoreSessionId")
        }
    }

    // MARK: Refusals

    @Test("explore refuses a bad body with a 400 naming the property, an unknown job with a 404, and opens nothing")
    func exploreRefusals() async throws {
        try await VeeamAPIHarness.with { api in
            let token = try await api.signIn()
            let cases: [(String, String)] = [
                ("", "RESTExploreOptions"),
                ("   ", "RESTExploreOptions"),
                ("{", "RESTExploreOptions"),
                ("[]", "RESTExploreOptions"),
                ("\"Veod\"", "RESTExploreOptions"),
                (#"{"type": 1}"#, "type"),
                (#"{"type": ["Veod"]}"#, "type"),
                (#"{"type": "Veod", "showDeleted": "yes"}"#, "showDeleted"),
                (#"{"type": "Veod", "showAllVersions": 1}"#, "showAllVersions"),
                (#"{"type": "Veod", "dateTime": 20220122}"#, "dateTime"),
                (#"{"type": "Veod", "dateTime": "yesterday"}"#, "dateTime"),
                (#"{"type": "Veod", "dateTime": "2022-02-30 10:00:00"}"#, "dateTime"),
                (#"{"type": "Veod", "dateTime": "2022-01-22T25:00:00Z"}"#, "dateTime"),
                (#"{"dateTime": "2022-01-22T14:56:55.862Z", "showDeleted": true}"#, "type"),
                (#"{"type": null}"#, "type"),
                (#"{"type": ""}"#, "type"),
                (#"{"type": "OneDrive"}"#, "type"),
                (#"{"type": "Vex", "dateTime": "2022-01-22T14:56:55.862Z"}"#, "Exchange"),
                (#"{"type": "vet"}"#, "Teams"),
            ]
            let path = "/v6/Jobs/\(api.fixture.job.id.wire)/explore"
            for (body, field) in cases {
                let response = try await api.send(.post, path, token: token, headers: [.contentType: "application/json"], body: body)
                #expect(response.status == .badRequest, "\(body)")
                let message = try api.expectRefusal(response, .badRequest, .post, Self.explore, mentioning: field)
                if ["Exchange", "Teams"].contains(field) {
                    #expect(message.contains("type") && message.contains("not backed up by Lifeboat yet"), "\(message)")
                }
            }
            try api.expectRefusal(
                try await api.send(.post, "/v6/Jobs/\(UUID().wire)/explore", token: token, body: Self.seedBody),
                .notFound, .post, Self.explore, mentioning: "Job")
            try api.expectRefusal(
                try await api.send(.post, "/v6/Jobs/backup2/explore", token: token, body: Self.seedBody),
                .badRequest, .post, Self.explore, mentioning: "jobId")
            #expect(try await api.fixture.catalog.restoreSessions().isEmpty)
        }
    }

    @Test("unknown sessions, drives, folders and documents are 404s; malformed ids and paging values 400s naming them")
    func browsingRefusals() async throws {
        try await VeeamAPIHarness.with { api in
            let token = try await api.signIn()
            #expect(try await api.fixture.backUp().state == .succeeded)
            let session = try #require(try await Self.explore(api, token: token, Self.body(dateTime: nil))["id"]?.stringValue)
            let sharePoint = try #require(
                try await Self.explore(api, token: token, Self.body(dateTime: nil, type: "Vesp"))["id"]?.stringValue)
            let driveID = try #require(await api.fixture.simulator.tenant.drives().first { $0.kind == .business }?.id)
            let library = try #require(await api.fixture.simulator.tenant.drives().first { $0.kind == .documentLibrary }?.id)
            let drive = "/v6/RestoreSessions/\(session)/Organization/OneDrives/\(driveID)"
            let cases: [(String, HTTPResponse.Status, String, String?)] = [
                ("/v6/RestoreSessions/\(UUID().wire)", .notFound, Self.session, nil),
                ("/v6/RestoreSessions/not-a-session", .badRequest, Self.session, "restoreSessionId"),
                ("/v6/RestoreSessions/\(UUID().wire)/Events", .notFound, Self.events, nil),
                ("/v6/RestoreSessions/\(session)/Events/\(UUID().wire)", .notFound, Self.event, nil),
                ("/v6/RestoreSessions/\(UUID().wire)/Organization/OneDrives", .notFound, Self.oneDrives, nil),
                ("/v6/RestoreSessions/\(session)/Organization/OneDrives/b!unknown", .notFound, Self.oneDrive, "b!unknown"),
                ("/v6/RestoreSessions/\(session)/Organization/OneDrives/\(library)", .notFound, Self.oneDrive, "OneDrive"),
                ("\(drive)/Folders?parentId=no-such-folder", .notFound, Self.folders, "parentId"),
                ("\(drive)/Documents?parentId=no-such-folder", .notFound, Self.documents, "parentId"),
                ("\(drive)/Folders/no-such-folder", .notFound, Self.folder, "no-such-folder"),
                ("\(drive)/Documents/no-such-document", .notFound, Self.document, "no-such-document"),
                ("\(drive)/Documents/no-such-document/Versions", .notFound, Self.versions, nil),
                ("\(drive)/Documents?offset=-1", .badRequest, Self.documents, "offset"),
                ("\(drive)/Folders?limit=0", .badRequest, Self.folders, "limit"),
                ("\(drive)/Folders?limit=10001", .badRequest, Self.folders, "limit"),
                ("/v6/RestoreSessions/\(session)/Organization/OneDrives?limit=many", .badRequest, Self.oneDrives, "limit"),
                ("/v6/RestoreSessions?offset=x", .badRequest, Self.sessions, "offset"),
                ("/v6/RestoreSessions?startTimeFrom=yesterday", .badRequest, Self.sessions, "startTimeFrom"),
                ("/v6/RestoreSessions/\(sharePoint)/Organization/OneDrives", .badRequest, Self.oneDrives, "Veod"),
            ]
            for (uri, status, template, mentioning) in cases {
                try api.expectRefusal(try await api.send(.get, uri, token: token), status, .get, template, mentioning: mentioning)
            }
            // A document id names no folder, and a folder id no document.
            let documents = try await Self.collect(api, token: token, "\(drive)/Documents", Self.documents)
            let folders = try await Self.collect(api, token: token, "\(drive)/Folders", Self.folders)
            let documentID = try #require(documents.first?["id"]?.stringValue)
            let folderID = try #require(folders.first?["id"]?.stringValue)
            try api.expectRefusal(try await api.send(.get, "\(drive)/Folders/\(documentID)", token: token), .notFound, .get, Self.folder)
            try api.expectRefusal(try await api.send(.get, "\(drive)/Documents/\(folderID)", token: token), .notFound, .get, Self.document)
            // The time filters of the session list.
            let now = Self.format(Date().addingTimeInterval(60), "yyyy-MM-dd'T'HH:mm:ss'Z'")
            #expect(try await Self.collect(api, token: token, "/v6/RestoreSessions?startTimeFrom=\(now)", Self.sessions).isEmpty)
            #expect(try await Self.collect(api, token: token, "/v6/RestoreSessions?startTimeTo=\(now)", Self.sessions).count == 2)
        }
    }
}
