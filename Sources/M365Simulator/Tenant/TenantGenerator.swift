import Foundation
import SeededRandom

/// Builds a tenant's initial users, sites, drives and items from a `TenantSpec`, deterministically.
struct TenantGenerator {
    struct Output {
        var tenantID: String
        var clientID: String
        var clientSecret: String
        var users: [SimulatedUser]
        var sites: [SimulatedSite]
        var drives: [DriveState]
        var rng: SplitMix64
    }

    struct FileType {
        var ext: String
        var mime: String
        var text: Bool
    }

    static let fileTypes: [FileType] = [
        FileType(ext: "docx", mime: "application/vnd.openxmlformats-officedocument.wordprocessingml.document", text: false),
        FileType(ext: "xlsx", mime: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", text: false),
        FileType(ext: "pptx", mime: "application/vnd.openxmlformats-officedocument.presentationml.presentation", text: false),
        FileType(ext: "pdf", mime: "application/pdf", text: false),
        FileType(ext: "txt", mime: "text/plain", text: true),
        FileType(ext: "csv", mime: "text/csv", text: true),
        FileType(ext: "jpg", mime: "image/jpeg", text: false),
        FileType(ext: "png", mime: "image/png", text: false),
        FileType(ext: "zip", mime: "application/zip", text: false),
        FileType(ext: "bin", mime: "application/octet-stream", text: false),
    ]
    static let firstNames = ["Alice", "Bob", "Carol", "David", "Erin", "Frank", "Grace", "Heidi", "Ivan", "Judy", "Mallory", "Niaj"]
    static let lastNames = ["Smith", "Johnson", "Müller", "García", "Nakamura", "O'Brien", "Dubois", "Kowalski"]
    static let teamSiteNames = ["Finance", "Engineering", "Legal", "Sales", "Human Resources", "Research"]
    static let commSiteNames = ["Intranet", "Company News", "Events", "Brand Center"]
    static let subsiteNames = ["Projects", "Archive", "Team A", "Partners"]
    static let libraryNames = ["Contracts", "Reports", "Media", "Templates", "Records"]
    static let folderNames = [
        "Projects", "Reports 2024", "Archive", "Drafts", "Ünïcode Földer", "Q3 Planning", "Photos", "Shared with team",
        "Budget", "Meetings", "资料", "Old stuff",
    ]
    static let fileStems = [
        "Budget", "Meeting notes", "Résumé final", "Quarterly report", "データ", "Plan", "Invoice 0042", "Roadmap v2",
        "Customer list", "Design spec", "Photo 001", "Backup", "Notes", "Straße map", "Summary (draft)",
    ]
    static let words = [
        "lorem", "ipsum", "backup", "restore", "quarterly", "revenue", "the", "a", "of", "meeting", "project", "tenant",
        "contoso", "figures", "draft", "final", "approved", "review", "next", "steps", "data", "file", "report", "plan",
    ]
    /// 2023-01-01T00:00:00Z: generated timestamps fall in the year after.
    static let epoch = Date(timeIntervalSince1970: 1_672_531_200)

    var spec: TenantSpec
    var rng: SplitMix64
    var largeFilesLeft: Int

    init(spec: TenantSpec) {
        self.spec = spec
        self.rng = SplitMix64(seed: spec.seed)
        self.largeFilesLeft = spec.largeFileCount
    }

    mutating func generate() -> Output {
        let tenantID = rng.guid().lowercased()
        let clientID = rng.guid().lowercased()
        let secretAlphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789~._-")
        let clientSecret = String((0..<40).map { _ in secretAlphabet[Int(rng.next() % UInt64(secretAlphabet.count))] })
        var users: [SimulatedUser] = []
        var people: [Person] = []
        var drives: [DriveState] = []
        for index in 0..<spec.userCount {
            let first = Self.firstNames[index % Self.firstNames.count]
            let suffix = index >= Self.firstNames.count ? String(index / Self.firstNames.count + 1) : ""
            let last = Self.lastNames[Int(rng.next() % UInt64(Self.lastNames.count))]
            let upn = "\(first.lowercased())\(suffix)@\(spec.domain).onmicrosoft.com"
            let person = Person(displayName: "\(first)\(suffix) \(last)", email: upn)
            let user = SimulatedUser(id: rng.guid().lowercased(), upn: upn, displayName: person.displayName, driveID: rng.driveID())
            users.append(user)
            people.append(person)
        }
        for (index, user) in users.enumerated() {
            let personal = user.upn.replacingOccurrences(of: "@", with: "_").replacingOccurrences(of: ".", with: "_")
            let drive = SimulatedDrive(
                id: user.driveID, name: "OneDrive", kind: .business,
                webURL: "https://\(spec.domain)-my.sharepoint.com/personal/\(personal)/Documents",
                rootItemID: rng.itemID(), ownerUserID: user.id, siteID: nil)
            drives.append(populate(drive, authors: [people[index]]))
        }
        var sites: [SimulatedSite] = []
        let authors = people.isEmpty ? [Person(displayName: "System Account", email: "system@\(spec.domain).onmicrosoft.com")] : people
        let collectionNames =
            (0..<spec.teamSiteCount).map { Self.name(Self.teamSiteNames, $0) }
            + (0..<spec.communicationSiteCount).map { Self.name(Self.commSiteNames, $0) }
        for title in collectionNames {
            let siteGuid = rng.guid().lowercased()
            let urlName = title.replacingOccurrences(of: " ", with: "")
            let url = "https://\(spec.sharePointHost)/sites/\(urlName)"
            let site = makeSite(title: title, name: urlName, url: url, siteGuid: siteGuid, parent: nil, authors: authors, drives: &drives)
            sites.append(site)
            for subIndex in 0..<spec.subsitesPerSite {
                let subTitle = Self.name(Self.subsiteNames, subIndex)
                let subName = subTitle.replacingOccurrences(of: " ", with: "")
                let sub = makeSite(
                    title: subTitle, name: subName, url: "\(url)/\(subName)", siteGuid: siteGuid, parent: site.id,
                    authors: authors, drives: &drives)
                sites.append(sub)
            }
        }
        Self.share(&drives, users: users, seed: spec.seed)
        return Output(
            tenantID: tenantID, clientID: clientID, clientSecret: clientSecret, users: users, sites: sites, drives: drives, rng: rng)
    }

    /// Shares a few items of each drive, as people do: a OneDrive's first folder with the next colleague (write) and its
    /// first file by an organization-wide view link; a library's first folder with the first user (read). Draws its ids
    /// from a generator of its own, so every other id of the tenant is what it was before sharing existed.
    static func share(_ drives: inout [DriveState], users: [SimulatedUser], seed: UInt64) {
        guard users.count > 1 else { return }
        var ids = SplitMix64(seed: seed ^ 0x5AA2_E0FF_1CE5_0001)
        for index in drives.indices {
            let state = drives[index]
            let top = state.childIDs(of: state.drive.rootItemID).compactMap { state.record($0) }
            let owner = users.firstIndex { $0.id == state.drive.ownerUserID }
            if let folder = top.first(where: \.isFolder) {
                let colleague = users[owner.map { ($0 + 1) % users.count } ?? 0]
                drives[index].permissions[folder.id, default: []].append(
                    SimulatedPermission(
                        id: ids.guid(), roles: [owner == nil ? "read" : "write"],
                        grantee: .user(id: colleague.id, email: colleague.upn, displayName: colleague.displayName)))
            }
            if owner != nil, let file = top.first(where: { !$0.isFolder }) {
                let token = ids.itemID().dropFirst(2).prefix(22)
                let host = URL(string: state.drive.webURL)?.host ?? "sharepoint.com"
                drives[index].permissions[file.id, default: []].append(
                    SimulatedPermission(
                        id: ids.guid(), roles: ["read"],
                        grantee: .link(type: "view", scope: "organization", webURL: "https://\(host)/:u:/g/\(token)")))
            }
        }
    }

    static func name(_ list: [String], _ index: Int) -> String {
        index < list.count ? list[index] : "\(list[index % list.count]) \(index / list.count + 1)"
    }

    mutating func makeSite(
        title: String, name: String, url: String, siteGuid: String, parent: String?, authors: [Person], drives: inout [DriveState]
    ) -> SimulatedSite {
        let siteID = "\(spec.sharePointHost),\(siteGuid),\(rng.guid().lowercased())"
        var driveIDs: [String] = []
        for libIndex in 0..<spec.librariesPerSite {
            let libName = libIndex == 0 ? "Documents" : Self.name(Self.libraryNames, libIndex - 1)
            let webName = libIndex == 0 ? "Shared Documents" : libName
            let drive = SimulatedDrive(
                id: rng.driveID(), name: libName, kind: .documentLibrary,
                webURL: "\(url)/\(webName.replacingOccurrences(of: " ", with: "%20"))",
                rootItemID: rng.itemID(), ownerUserID: nil, siteID: siteID)
            driveIDs.append(drive.id)
            drives.append(populate(drive, authors: authors))
        }
        return SimulatedSite(id: siteID, url: url, title: title, name: name, parentSiteID: parent, driveIDs: driveIDs)
    }

    mutating func date(after start: Date, withinDays days: Int) -> Date {
        start.addingTimeInterval(Double(rng.next() % UInt64(max(1, days * 86_400))))
    }

    mutating func populate(_ drive: SimulatedDrive, authors: [Person]) -> DriveState {
        var state = DriveState(drive: drive)
        let rootAuthor = authors[0]
        state.counter += 1
        state.store(ItemRecord(
            id: drive.rootItemID, guid: rng.guid(), name: "root", parentID: nil, isFolder: true, isRoot: true, mimeType: nil,
            versions: [], nextVersionNumber: 1, revision: 1, contentRevision: 1, createdAt: Self.epoch, modifiedAt: Self.epoch,
            fileSystemCreatedAt: Self.epoch, fileSystemModifiedAt: Self.epoch, createdBy: rootAuthor, modifiedBy: rootAuthor,
            lastChange: state.counter, isDeleted: false))
        var folders: [(id: String, depth: Int)] = [(drive.rootItemID, 0)]
        for _ in 0..<spec.foldersPerDrive {
            let candidates = folders.filter { $0.depth < spec.maxFolderDepth }
            let parent = candidates[Int(rng.next() % UInt64(candidates.count))]
            let name = uniqueName(Self.folderNames[Int(rng.next() % UInt64(Self.folderNames.count))], in: parent.id, state: state)
            let author = authors[Int(rng.next() % UInt64(authors.count))]
            let created = date(after: Self.epoch, withinDays: 60)
            state.counter += 1
            let id = rng.itemID()
            state.store(ItemRecord(
                id: id, guid: rng.guid(), name: name, parentID: parent.id, isFolder: true, isRoot: false, mimeType: nil,
                versions: [], nextVersionNumber: 1, revision: 1, contentRevision: 1, createdAt: created, modifiedAt: created,
                fileSystemCreatedAt: created, fileSystemModifiedAt: created, createdBy: author, modifiedBy: author,
                lastChange: state.counter, isDeleted: false))
            folders.append((id, parent.depth + 1))
        }
        for index in 0..<spec.filesPerDrive {
            let parent = folders[Int(rng.next() % UInt64(folders.count))]
            let type = Self.fileTypes[Int(rng.next() % UInt64(Self.fileTypes.count))]
            let stem = Self.fileStems[Int(rng.next() % UInt64(Self.fileStems.count))]
            let name = uniqueName("\(stem).\(type.ext)", in: parent.id, state: state)
            let large = index == 0 && largeFilesLeft > 0
            if large { largeFilesLeft -= 1 }
            let size = large ? (4 << 20) + Int(rng.next() % UInt64(1 << 20)) : fileSize()
            let versionCount = (large || size == 0) ? 1 : 1 + Int(rng.next() % UInt64(spec.maxVersions))
            let author = authors[Int(rng.next() % UInt64(authors.count))]
            let created = date(after: Self.epoch, withinDays: 200)
            var versions: [VersionRecord] = []
            var when = created
            for v in 0..<versionCount {
                let isLast = v == versionCount - 1
                let versionSize = isLast ? size : Int(rng.next() % UInt64(size + 1))
                let bytes = content(size: versionSize, text: type.text)
                let editor = authors[Int(rng.next() % UInt64(authors.count))]
                if v > 0 { when = date(after: when, withinDays: 30) }
                versions.append(
                    VersionRecord(
                        id: "\(v + 1).0", bytes: bytes, quickXorHash: QuickXorHashing.hash(bytes), modifiedAt: when,
                        modifiedBy: v == 0 ? author : editor))
            }
            state.counter += 1
            let id = rng.itemID()
            state.store(ItemRecord(
                id: id, guid: rng.guid(), name: name, parentID: parent.id, isFolder: false, isRoot: false, mimeType: type.mime,
                versions: versions, nextVersionNumber: versionCount + 1, revision: versionCount, contentRevision: versionCount,
                createdAt: created, modifiedAt: when, fileSystemCreatedAt: created, fileSystemModifiedAt: when,
                createdBy: author, modifiedBy: versions.last!.modifiedBy, lastChange: state.counter, isDeleted: false))
        }
        return state
    }

    /// Sizes: 10% empty, 50% up to 8 KiB, 30% up to 128 KiB, 10% up to `maxFileSize`.
    mutating func fileSize() -> Int {
        let bucket = rng.next() % 10
        switch bucket {
        case 0: return 0
        case 1...5: return 1 + Int(rng.next() % 8192)
        case 6...8: return 8192 + Int(rng.next() % UInt64(120 << 10))
        default: return Int(rng.next() % UInt64(max(1, spec.maxFileSize) + 1))
        }
    }

    mutating func content(size: Int, text: Bool) -> [UInt8] {
        guard text else { return rng.bytes(size) }
        var out = [UInt8]()
        out.reserveCapacity(size + 16)
        let wordBytes = Self.words.map { Array($0.utf8) }
        var column = 0
        while out.count < size {
            let word = wordBytes[Int(rng.next() % UInt64(wordBytes.count))]
            out.append(contentsOf: word)
            column += word.count + 1
            if column > 72 {
                out.append(10)
                column = 0
            } else {
                out.append(32)
            }
        }
        out.removeLast(out.count - size)
        return out
    }

    func uniqueName(_ name: String, in parentID: String, state: DriveState) -> String {
        SimulatedTenant.availableName(name, in: parentID, state: state)
    }
}
