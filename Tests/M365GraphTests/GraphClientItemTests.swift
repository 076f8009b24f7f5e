import Foundation
import M365Graph
import M365Simulator
import NIOCore
import QuickXorHash
import Testing

/// Reading a drive: delta paging and incremental delta, downloads through the 302, versions.
@Suite("GraphClient delta and downloads")
struct GraphClientItemTests {
    /// Follows next links from `link` to the delta link; returns every item in order, the delta link and the page count.
    static func enumerate(_ client: GraphClient, driveID: String, from link: String? = nil) async throws
        -> (items: [GraphDriveItem], deltaLink: String, pages: Int)
    {
        var items: [GraphDriveItem] = []
        var next = link
        var pages = 0
        while true {
            let page = try await client.delta(driveID: driveID, link: next)
            pages += 1
            items += page.items
            if let nextLink = page.nextLink {
                #expect(page.deltaLink == nil)
                next = nextLink
            } else {
                return (items, try #require(page.deltaLink), pages)
            }
        }
    }

    @Test("delta pages through the whole drive to a delta link, which then reports exactly the changes")
    func deltaPagesThenReportsChanges() async throws {
        try await GraphClientHarness.with(pageSize: 5) { h in
            let drive = try #require(await h.tenant.drives().first)
            let live = await h.tenant.children(driveID: drive.id, folderID: drive.rootItemID)
            let first = try await Self.enumerate(h.client, driveID: drive.id)
            let files = await h.tenant.allFiles(driveID: drive.id)
            #expect(first.pages == (first.items.count + 4) / 5)
            #expect(first.pages > 1)
            #expect(first.items.first?.isRoot == true)
            #expect(Set(first.items.filter { !$0.isFolder }.map(\.id)) == Set(files.map(\.id)))
            for file in files {
                let item = try #require(first.items.first { $0.id == file.id })
                #expect(item.name == file.name)
                #expect(item.size == Int64(file.size))
                #expect(item.cTag == file.cTag)
                #expect(item.file?.hashes?.quickXorHash == file.quickXorHash)
                #expect(item.parentReference?.id == file.parentID)
                #expect(item.parentReference?.driveId == drive.id)
                #expect(item.parentReference?.path == nil)
                #expect(item.downloadURL != nil)
            }

            let edited = try #require(files.first { $0.size > 0 })
            let updated = try await h.tenant.updateContent(driveID: drive.id, itemID: edited.id, bytes: Array("changed".utf8))
            let doomed = try #require(live.first { !$0.isFolder && $0.id != edited.id } ?? files.last { $0.id != edited.id })
            try await h.tenant.delete(driveID: drive.id, itemID: doomed.id)
            let changes = try await Self.enumerate(h.client, driveID: drive.id, from: first.deltaLink)
            #expect(changes.items.map(\.id) == [edited.id, doomed.id])
            #expect(changes.items[0].cTag == updated.cTag)
            #expect(changes.items[0].size == 7)
            #expect(changes.items[0].file?.hashes?.quickXorHash == QuickXorHasher.hash(Array("changed".utf8)))
            #expect(changes.items[1].isDeleted)
            #expect(changes.deltaLink != first.deltaLink)

            let none = try await Self.enumerate(h.client, driveID: drive.id, from: changes.deltaLink)
            #expect(none.items.isEmpty)
        }
    }

    @Test("an expired delta link is resyncRequired, and enumerating again from scratch works")
    func expiredDeltaLinkIsResync() async throws {
        try await GraphClientHarness.with { h in
            let drive = try #require(await h.tenant.drives().first)
            let first = try await Self.enumerate(h.client, driveID: drive.id)
            await h.tenant.expireDeltaTokens(driveID: drive.id)
            let error = await #expect(throws: GraphError.self) {
                try await h.client.delta(driveID: drive.id, link: first.deltaLink)
            }
            guard case .resyncRequired(let location?) = error else {
                Issue.record("expected resyncRequired with a Location, got \(String(describing: error))")
                return
            }
            // The 410's Location enumerates the same drive from scratch: the delta token "d:0", base64 "ZDow" (the
            // expired link carries no `$top`, so neither does the Location).
            #expect(location == "\(h.simulator.graphBaseURL)/drives/\(drive.id)/root/delta?token=ZDow")
            let fromLocation = try await Self.enumerate(h.client, driveID: drive.id, from: location)
            #expect(Set(fromLocation.items.map(\.id)) == Set(first.items.map(\.id)))
            let again = try await Self.enumerate(h.client, driveID: drive.id)
            #expect(Set(again.items.map(\.id)) == Set(first.items.map(\.id)))
            #expect(try await Self.enumerate(h.client, driveID: drive.id, from: again.deltaLink).items.isEmpty)
        }
    }

    @Test("content follows the 302 to the download URL without the bearer token and streams the exact bytes")
    func contentStreamsThroughTheRedirect() async throws {
        try await GraphClientHarness.with { h in
            let drive = try #require(await h.tenant.drives().first)
            let large = try #require(await h.tenant.allFiles(driveID: drive.id).max { $0.size < $1.size })
            #expect(large.size > 4 << 20)
            await h.simulator.requestLog.reset()
            let content = try await h.client.content(driveID: drive.id, itemID: large.id, versionID: nil)
            #expect(content.contentLength == Int64(large.size))
            var bytes: [UInt8] = []
            var buffers = 0
            for try await buffer in content {
                bytes += buffer.readableBytesView
                buffers += 1
            }
            #expect(bytes == (await h.tenant.content(driveID: drive.id, itemID: large.id)))
            #expect(buffers > 1, "the body arrives as a stream, not as one buffer")
            let requests = await h.simulator.requestLog.entries().compactMap { entry in
                entry.contentRequest.map { ($0.kind, entry.status) }
            }
            #expect(requests.map(\.0) == [.graphContent, .downloadURL])
            #expect(requests.map(\.1) == [302, 200])
        }
    }

    @Test("versions list newest first and each version's content is its own bytes")
    func versionsAndTheirContent() async throws {
        try await GraphClientHarness.with { h in
            let drive = try #require(await h.tenant.drives().first)
            let files = await h.tenant.allFiles(driveID: drive.id)
            let file = try #require(files.max { $0.versionCount < $1.versionCount })
            #expect(file.versionCount > 1)
            let expected = await h.tenant.versionContents(driveID: drive.id, itemID: file.id)
            let versions = try await h.client.versions(driveID: drive.id, itemID: file.id)
            #expect(versions.map(\.id) == expected.reversed().map(\.id))
            #expect(versions.map(\.size) == expected.reversed().map { Int64($0.bytes.count) })
            for version in expected {
                let content = try await h.client.content(driveID: drive.id, itemID: file.id, versionID: version.id)
                var bytes: [UInt8] = []
                for try await buffer in content { bytes += buffer.readableBytesView }
                #expect(bytes == version.bytes, "version \(version.id)")
            }
        }
    }

    @Test("an expired download URL is a typed 401, not a hang or an empty file")
    func expiredDownloadURLIsTyped() async throws {
        try await GraphClientHarness.with(configure: { $0.downloadURLLifetime = .zero }) { h in
            let drive = try #require(await h.tenant.drives().first)
            let file = try #require(await h.tenant.allFiles(driveID: drive.id).first)
            do {
                _ = try await h.client.content(driveID: drive.id, itemID: file.id, versionID: nil)
                Issue.record("an expired download URL served content")
            } catch GraphError.service(let status, let code, _, _) {
                #expect(status == 401)
                #expect(code == "unauthenticated")
            }
        }
    }

    @Test("current content comes from the listing's download URL, without /content and without the bearer token; an expired one is renewed through /content")
    func currentContentFromTheListing() async throws {
        try await GraphClientHarness.with { h in
            let drive = try #require(await h.tenant.drives().first)
            let listed = try await Self.enumerate(h.client, driveID: drive.id).items.filter { !$0.isFolder }
            let file = try #require(listed.max { ($0.size ?? 0) < ($1.size ?? 0) })
            try #require(file.downloadURL != nil)
            await h.simulator.requestLog.reset()
            var bytes: [UInt8] = []
            for try await buffer in try await h.client.currentContent(driveID: drive.id, listed: file) { bytes += buffer.readableBytesView }
            #expect(bytes == (await h.tenant.content(driveID: drive.id, itemID: file.id)))
            let requests = await h.simulator.requestLog.entries().compactMap(\.contentRequest)
            #expect(requests.map(\.kind) == [.downloadURL], "no /content call")

            var expired = file
            expired.downloadURL = file.downloadURL.map { $0.replacingOccurrences(of: "/download/", with: "/download/x") }
            await h.simulator.requestLog.reset()
            var renewed: [UInt8] = []
            do {
                for try await buffer in try await h.client.currentContent(driveID: drive.id, listed: expired) {
                    renewed += buffer.readableBytesView
                }
            } catch {
                Issue.record("a listing URL that no longer serves must fall back to /content: \(error)")
            }
            #expect(renewed == bytes)
        }
    }

    @Test("version histories of many items come in JSON batches of 20, equal to asking each alone")
    func batchedVersions() async throws {
        try await GraphClientHarness.with(TenantSpec(seed: 5, userCount: 1, teamSiteCount: 0, communicationSiteCount: 0, filesPerDrive: 45)) { h in
            let drive = try #require(await h.tenant.drives().first)
            let files = await h.tenant.allFiles(driveID: drive.id)
            #expect(files.count >= 41)
            await h.simulator.requestLog.reset()
            let batched = await h.client.versions(driveID: drive.id, itemIDs: files.map(\.id) + ["no-such-item"])
            let log = await h.simulator.requestLog.entries()
            #expect(log.filter { $0.path.hasSuffix("/$batch") }.count == (files.count + 1 + 19) / 20)
            #expect(log.filter { $0.path.hasSuffix("/versions") }.count == files.count + 1, "each history asked once")
            #expect(batched["no-such-item"] == nil, "a failed entry is left for the caller to ask alone")
            #expect(batched.count == files.count)
            for file in files {
                let alone = try await h.client.versions(driveID: drive.id, itemID: file.id)
                #expect(batched[file.id]?.map(\.id) == alone.map(\.id))
                #expect(batched[file.id]?.map(\.size) == alone.map(\.size))
            }
        }
    }
}
