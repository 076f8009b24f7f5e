import Foundation
import M365Simulator
import QuickXorHash
import Testing

@Suite("Tenant generation is deterministic and plausible")
struct TenantGenerationTests {
    /// Everything observable about a tenant, for equality checks.
    static func fingerprint(_ tenant: SimulatedTenant) async -> [String] {
        var lines: [String] = [tenant.tenantID, tenant.clientID, tenant.clientSecret]
        for user in await tenant.users() { lines.append("user \(user.id) \(user.upn) \(user.displayName) \(user.driveID)") }
        for site in await tenant.sites() { lines.append("site \(site.id) \(site.url) \(site.driveIDs)") }
        for drive in await tenant.drives() {
            lines.append("drive \(drive.id) \(drive.name) \(drive.kind)")
            for file in await tenant.allFiles(driveID: drive.id) {
                lines.append("file \(file.id) \(file.name) \(file.size) \(file.quickXorHash ?? "") \(file.eTag) \(file.versionCount)")
            }
        }
        return lines
    }

    @Test("two tenants from one seed are identical; another seed differs")
    func determinism() async {
        let a = await Self.fingerprint(SimulatedTenant(spec: .small(seed: 11)))
        let b = await Self.fingerprint(SimulatedTenant(spec: .small(seed: 11)))
        let c = await Self.fingerprint(SimulatedTenant(spec: .small(seed: 12)))
        #expect(a == b)
        #expect(a != c)
        #expect(a.count > 50)
    }

    @Test("the small preset has users, sites with subsites, varied files, versions and large files")
    func smallShape() async throws {
        let tenant = SimulatedTenant(spec: .small(seed: 3))
        let users = await tenant.users()
        let sites = await tenant.sites()
        let drives = await tenant.drives()
        #expect(users.count == 3)
        #expect(users[0].upn == "alice@contoso.onmicrosoft.com")
        #expect(sites.filter { $0.parentSiteID == nil }.count == 2)
        #expect(sites.filter { $0.parentSiteID != nil }.count == 2)
        #expect(sites.allSatisfy { $0.id.hasPrefix("contoso.sharepoint.com,") && $0.driveIDs.count >= 1 })
        #expect(drives.count == 3 + 4)
        var files: [SimulatedItem] = []
        for drive in drives { files += await tenant.allFiles(driveID: drive.id) }
        #expect(files.count == drives.count * 12)
        #expect(files.contains { $0.size == 0 })
        #expect(files.filter { $0.size > 4 << 20 }.count == 2)
        #expect(files.contains { $0.versionCount > 1 })
        #expect(files.contains { $0.name.contains(" ") && $0.name.unicodeScalars.contains { !$0.isASCII } })
        let extensions = Set(files.map { $0.name.split(separator: ".").last.map(String.init) ?? "" })
        #expect(extensions.count >= 8)
        let total = files.reduce(0) { $0 + $1.size }
        #expect(total < 60 << 20)
        // Nested folders exist: some file's parent is not the root.
        let roots = Set(drives.map(\.rootItemID))
        #expect(files.contains { !roots.contains($0.parentID ?? "") })
    }

    @Test("item hashes match their bytes and every version differs")
    func hashesMatchContent() async throws {
        let tenant = SimulatedTenant(spec: .small(seed: 5))
        let drive = try #require(await tenant.drives().first)
        for file in await tenant.allFiles(driveID: drive.id) {
            let bytes = try #require(await tenant.content(driveID: drive.id, itemID: file.id))
            #expect(QuickXorHasher.hash(bytes) == file.quickXorHash)
            #expect(bytes.count == file.size)
            let versions = await tenant.versionContents(driveID: drive.id, itemID: file.id)
            #expect(versions.count == file.versionCount)
            #expect(versions.last?.bytes == bytes)
            #expect(versions.last?.id == file.versionID)
        }
    }

    @Test("mutations bump eTag always and cTag only on content change")
    func tagSemantics() async throws {
        let tenant = SimulatedTenant(spec: .small(seed: 5))
        let drive = try #require(await tenant.drives().first)
        let file = try #require(await tenant.allFiles(driveID: drive.id).first { $0.size > 0 })
        let renamed = try await tenant.rename(driveID: drive.id, itemID: file.id, to: "Renamed file.txt")
        #expect(renamed.eTag != file.eTag)
        #expect(renamed.cTag == file.cTag)
        #expect(renamed.quickXorHash == file.quickXorHash)
        let edited = try await tenant.updateContent(driveID: drive.id, itemID: file.id, bytes: Array("new".utf8))
        #expect(edited.eTag != renamed.eTag)
        #expect(edited.cTag != renamed.cTag)
        #expect(edited.quickXorHash == QuickXorHasher.hash(Array("new".utf8)))
        #expect(edited.versionCount == file.versionCount + 1)
        #expect(await tenant.item(driveID: drive.id, path: "")?.isRoot == true)
        let path = try #require(await tenant.item(driveID: drive.id, itemID: edited.id))
        #expect(path.name == "Renamed file.txt")
    }
}
